-- Staged replies to convocations (migration 007) against the stored ones: add, update or same, with the old values.
WITH staged_rows AS (
    SELECT mt.meeting_id, s.person_id::INTEGER AS person_id, s.reply::VARCHAR AS reply,
           s.delegate_id::INTEGER AS delegate_id
    FROM staged AS s
    JOIN meetings AS mt ON mt.body_code = s.body_code::VARCHAR AND mt.meeting_date = s.meeting_date::DATE
),

final AS (
    SELECT s.*, s.meeting_id::VARCHAR || '/' || s.person_id::VARCHAR AS row_key,
           r.reply AS old_reply, r.delegate_id AS old_delegate_id,
           CASE
               WHEN r.meeting_id IS NULL THEN 'add'
               WHEN r.reply IS DISTINCT FROM s.reply OR r.delegate_id IS DISTINCT FROM s.delegate_id THEN 'update'
               ELSE 'same'
           END AS action
    FROM staged_rows AS s
    LEFT JOIN replies AS r USING (meeting_id, person_id)
)

SELECT * FROM final;
