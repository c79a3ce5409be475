-- Identifier sequences that stand at or below the highest identifier stored: the next row written would take an
-- identifier in use, and the write would fail. (A restore sets them past the restored rows.) One row per such
-- sequence, with its last value given (start value - 1 when none was ever given) and the highest identifier.
WITH highest AS (
    SELECT 'person_id_seq' AS sequence_name, max(person_id) AS highest_id FROM persons
    UNION ALL SELECT 'membership_id_seq', max(membership_id) FROM memberships
    UNION ALL SELECT 'meeting_id_seq', max(meeting_id) FROM meetings
    UNION ALL SELECT 'import_id_seq', max(import_id) FROM import_log
    UNION ALL SELECT 'change_id_seq', max(change_id) FROM change_log
    UNION ALL SELECT 'audit_id_seq', max(id) FROM audit_events
),
final AS (
    SELECT h.sequence_name, coalesce(s.last_value, s.start_value - 1) AS last_value, h.highest_id
    FROM highest AS h
    JOIN duckdb_sequences() AS s
      ON s.sequence_name = h.sequence_name AND s.database_name = current_database() AND s.schema_name = 'main'
    WHERE h.highest_id > coalesce(s.last_value, s.start_value - 1)
)
SELECT * FROM final
ORDER BY sequence_name
