-- Values outside the sets the schema accepts (the CHECK constraints of migrations 001 and 002, counted again from
-- the rows; the sets are bound by store/check.py). One row per table, column and wrong value, with its number of
-- rows; a missing value shows as NULL, a broken rule between columns by a code (missing_delegate,
-- unexpected_delegate, self_delegate, before_start).
WITH wrong AS (
    SELECT 'attendance' AS table_name, 'status' AS column_name, status AS value
    FROM attendance WHERE status IS NULL OR NOT list_contains($attendance_statuses, status)
    UNION ALL
    -- a proxy or a substitution names its delegate, and no other status does
    SELECT 'attendance', 'delegate_id',
           CASE WHEN delegate_id IS NULL THEN 'missing_delegate' ELSE 'unexpected_delegate' END
    FROM attendance WHERE (status IN ('proxy', 'substituted')) IS DISTINCT FROM (delegate_id IS NOT NULL)
    UNION ALL
    SELECT 'attendance', 'delegate_id', 'self_delegate'
    FROM attendance WHERE delegate_id = person_id
    UNION ALL
    SELECT 'meetings', 'status', status
    FROM meetings WHERE status IS NULL OR NOT list_contains($meeting_statuses, status)
    UNION ALL
    SELECT 'meetings', 'format', format
    FROM meetings WHERE format IS NULL OR NOT list_contains($meeting_formats, format)
    UNION ALL
    SELECT 'meetings', 'meeting_type', meeting_type
    FROM meetings WHERE meeting_type IS NULL OR NOT list_contains($meeting_types, meeting_type)
    UNION ALL
    SELECT 'memberships', 'role', role
    FROM memberships WHERE role IS NULL OR NOT list_contains($roles, role)
    UNION ALL
    SELECT 'memberships', 'end_date', 'before_start'
    FROM memberships WHERE end_date < start_date
    UNION ALL
    SELECT 'bodies', 'family', family
    FROM bodies WHERE family IS NULL OR NOT list_contains($families, family)
    UNION ALL
    SELECT 'bodies', 'cadence_rule', cadence_rule
    FROM bodies WHERE cadence_rule IS NULL OR NOT list_contains($cadence_rules, cadence_rule)
    UNION ALL
    SELECT 'bodies', 'sector', sector
    FROM bodies WHERE sector IS NOT NULL AND NOT list_contains($sectors, sector)
    UNION ALL
    SELECT 'communes', 'sector', sector
    FROM communes WHERE sector IS NULL OR NOT list_contains($sectors, sector)
    UNION ALL
    SELECT 'import_log', 'source', source
    FROM import_log WHERE source IS NULL OR NOT list_contains($import_sources, source)
    UNION ALL
    SELECT 'audit_events', 'event', event
    FROM audit_events WHERE event IS NULL OR NOT list_contains($audit_events, event)
),
final AS (
    SELECT table_name, column_name, value, count(*) AS rows
    FROM wrong
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY table_name, column_name, value NULLS FIRST
