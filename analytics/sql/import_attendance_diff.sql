-- Staged sign-ins against the stored ones: add, update or same, with the old values. The row key of the change log
-- is written for the updated rows only (a million unchanged rows of a re-import need none).
WITH staged_rows AS (
    SELECT mt.meeting_id, s.person_id::INTEGER AS person_id, s.status::VARCHAR AS status,
           s.delegate_id::INTEGER AS delegate_id
    FROM staged AS s
    JOIN meetings AS mt ON mt.body_code = s.body_code::VARCHAR AND mt.meeting_date = s.meeting_date::DATE
),

compared AS (
    SELECT s.*, a.status AS old_status, a.delegate_id AS old_delegate_id,
           CASE
               WHEN a.meeting_id IS NULL THEN 'add'
               WHEN a.status IS DISTINCT FROM s.status OR a.delegate_id IS DISTINCT FROM s.delegate_id THEN 'update'
               ELSE 'same'
           END AS action
    FROM staged_rows AS s
    LEFT JOIN attendance AS a USING (meeting_id, person_id)
),

final AS (
    SELECT *, CASE WHEN action = 'update' THEN meeting_id::VARCHAR || '/' || person_id::VARCHAR END AS row_key
    FROM compared
)

SELECT * FROM final;
