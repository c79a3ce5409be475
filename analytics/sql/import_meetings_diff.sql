-- Staged meetings against the stored ones: add, update or same, with the old values. A convocation date left empty
-- keeps the stored one (migration 007): a file that does not give it never erases it.
WITH staged_rows AS (
    SELECT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date, status::VARCHAR AS status,
           format::VARCHAR AS format, meeting_type::VARCHAR AS meeting_type, requesters::INTEGER AS requesters,
           commune_insee::VARCHAR AS commune_insee, headcount::INTEGER AS headcount,
           convocation_date::DATE AS convocation_date
    FROM staged
),

final AS (
    SELECT s.* REPLACE (coalesce(s.convocation_date, m.convocation_date) AS convocation_date),
           m.meeting_id, m.meeting_id::VARCHAR AS row_key,
           m.status AS old_status, m.format AS old_format, m.meeting_type AS old_meeting_type,
           m.requesters AS old_requesters, m.commune_insee AS old_commune_insee, m.headcount AS old_headcount,
           m.convocation_date AS old_convocation_date,
           CASE
               WHEN m.meeting_id IS NULL THEN 'add'
               WHEN (m.status, m.format, m.meeting_type, m.requesters, m.commune_insee, m.headcount,
                     m.convocation_date)
                    IS DISTINCT FROM (s.status, s.format, s.meeting_type, s.requesters, s.commune_insee, s.headcount,
                                      coalesce(s.convocation_date, m.convocation_date))
                   THEN 'update'
               ELSE 'same'
           END AS action
    FROM staged_rows AS s
    LEFT JOIN meetings AS m USING (body_code, meeting_date)
)

SELECT * FROM final;
