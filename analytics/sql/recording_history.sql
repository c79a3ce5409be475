-- Every recorded change of a meeting's sign-ins and description: who, when, what was there, what replaced it.
WITH changes AS (
    SELECT c.changed_at, c.username, c.table_name, c.column_name, c.old_value, c.new_value,
           CASE WHEN c.table_name IN ('attendance', 'attendance_spans')
                THEN split_part(c.row_key, '/', 2)::INTEGER END AS person_id
    FROM change_log AS c
    -- attendance_spans: the rows bounded to points (migration 006), "meeting_id/person_id" too
    WHERE (c.table_name IN ('attendance', 'attendance_spans') AND split_part(c.row_key, '/', 1) = $meeting_id::VARCHAR)
       OR (c.table_name = 'meetings' AND c.row_key = $meeting_id::VARCHAR)
),

final AS (
    SELECT ch.changed_at, ch.username,
           coalesce(upper(p.last_name) || ' ' || p.first_name, 'séance') AS subject,
           ch.column_name, ch.old_value, ch.new_value
    FROM changes AS ch
    LEFT JOIN persons AS p USING (person_id)
)

SELECT * FROM final ORDER BY changed_at DESC, subject;
