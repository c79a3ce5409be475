-- Staged memberships against the stored ones: add, update or same, with the old values.
WITH staged_rows AS (
    SELECT person_id::INTEGER AS person_id, body_code::VARCHAR AS body_code, start_date::DATE AS start_date,
           role::VARCHAR AS role, rank::INTEGER AS rank, end_date::DATE AS end_date
    FROM staged
),

final AS (
    SELECT s.*, m.membership_id, m.membership_id::VARCHAR AS row_key,
           m.role AS old_role, m.rank AS old_rank, m.end_date AS old_end_date,
           CASE
               WHEN m.membership_id IS NULL THEN 'add'
               WHEN (m.role, m.rank, m.end_date) IS DISTINCT FROM (s.role, s.rank, s.end_date) THEN 'update'
               ELSE 'same'
           END AS action
    FROM staged_rows AS s
    LEFT JOIN memberships AS m USING (person_id, body_code, start_date)
)

SELECT * FROM final;
