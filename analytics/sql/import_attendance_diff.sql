-- Staged sign-ins against the stored ones: add, update or same, with the old values.
WITH staged_rows AS (
    SELECT mt.meeting_id, s.person_id::INTEGER AS person_id, s.status::VARCHAR AS status,
           s.delegate_id::INTEGER AS delegate_id
    FROM staged AS s
    JOIN meetings AS mt ON mt.body_code = s.body_code::VARCHAR AND mt.meeting_date = s.meeting_date::DATE
),

final AS (
    SELECT s.*, s.meeting_id::VARCHAR || '/' || s.person_id::VARCHAR AS row_key,
           a.status AS old_status, a.delegate_id AS old_delegate_id,
           CASE
               WHEN a.meeting_id IS NULL THEN 'add'
               WHEN a.status IS DISTINCT FROM s.status OR a.delegate_id IS DISTINCT FROM s.delegate_id THEN 'update'
               ELSE 'same'
           END AS action
    FROM staged_rows AS s
    LEFT JOIN attendance AS a USING (meeting_id, person_id)
)

SELECT * FROM final;
