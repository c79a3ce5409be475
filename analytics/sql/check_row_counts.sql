-- The number of rows of the tables a backup copies (store/backup.py TABLES), for the report of the check: after a
-- restore they must equal the manifest of the backup.
WITH final AS (
    SELECT 'communes' AS table_name, count(*) AS rows FROM communes
    UNION ALL SELECT 'bodies', count(*) FROM bodies
    UNION ALL SELECT 'persons', count(*) FROM persons
    UNION ALL SELECT 'memberships', count(*) FROM memberships
    UNION ALL SELECT 'meetings', count(*) FROM meetings
    UNION ALL SELECT 'attendance', count(*) FROM attendance
    UNION ALL SELECT 'import_log', count(*) FROM import_log
    UNION ALL SELECT 'change_log', count(*) FROM change_log
    UNION ALL SELECT 'audit_events', count(*) FROM audit_events
    UNION ALL SELECT 'agenda_items', count(*) FROM agenda_items
    UNION ALL SELECT 'attendance_spans', count(*) FROM attendance_spans
    UNION ALL SELECT 'replies', count(*) FROM replies
)
SELECT * FROM final
