-- Every change an import made to the attendance rows of $person_id (row key "meeting_id/person_id"), oldest first.
WITH mine AS (
    SELECT change_id, import_id, changed_at, username, row_key, column_name, old_value, new_value
    FROM change_log
    -- attendance_spans: the rows bounded to points (migration 006), keyed alike
    WHERE table_name IN ('attendance', 'attendance_spans') AND row_key LIKE '%/' || $person_id::VARCHAR
),
final AS (
    SELECT split_part(row_key, '/', 1)::INTEGER AS meeting_id, *
    FROM mine
    WHERE split_part(row_key, '/', 2) = $person_id::VARCHAR
)
SELECT * FROM final
ORDER BY changed_at, change_id;
