-- The meeting of a body on a date, if recorded, with a fingerprint of its sign-ins for conflict detection.
WITH meeting AS (
    SELECT * FROM meetings WHERE body_code = $body AND meeting_date = $day
),

sheet AS (
    SELECT string_agg(a.person_id::VARCHAR || ':' || a.status || ':' || coalesce(a.delegate_id::VARCHAR, ''), ','
                      ORDER BY a.person_id) AS rows
    FROM attendance AS a
    WHERE a.meeting_id = (SELECT meeting_id FROM meeting)
),

final AS (
    SELECT m.meeting_id, m.status, m.format, m.meeting_type,
           md5(coalesce(m.status, '') || '|' || coalesce(m.format, '') || '|' || coalesce(sheet.rows, '')) AS version
    FROM sheet
    LEFT JOIN meeting AS m ON true
)

SELECT * FROM final;
