-- Values outside the sets the schema accepts (the CHECK constraints of migrations 001 and 002, counted again from
-- the rows; the sets are bound by store/check.py). One row per table, column and wrong value, with its number of
-- rows; a missing value shows as NULL, a broken rule between columns by a code (missing_delegate,
-- unexpected_delegate, self_delegate, before_start).
WITH accepted (table_name, column_name, allowed, may_be_null) AS (
    -- each checked column, the set it accepts and whether it may be empty (only the sector of a body)
    VALUES ('attendance', 'status', $attendance_statuses, false), ('meetings', 'status', $meeting_statuses, false),
           ('meetings', 'format', $meeting_formats, false), ('meetings', 'meeting_type', $meeting_types, false),
           ('memberships', 'role', $roles, false), ('bodies', 'family', $families, false),
           ('bodies', 'cadence_rule', $cadence_rules, false), ('bodies', 'sector', $sectors, true),
           ('communes', 'sector', $sectors, false), ('import_log', 'source', $import_sources, false),
           ('audit_events', 'event', $audit_events, false)
),
-- every value of the checked columns, a table at a time (the lists unnest side by side: a name, its value)
cells AS (
    SELECT 'attendance' AS table_name, 'status' AS column_name, status AS value FROM attendance
    UNION ALL
    SELECT 'meetings', unnest(['status', 'format', 'meeting_type']), unnest([status, format, meeting_type])
    FROM meetings
    UNION ALL
    SELECT 'memberships', 'role', role FROM memberships
    UNION ALL
    SELECT 'bodies', unnest(['family', 'cadence_rule', 'sector']), unnest([family, cadence_rule, sector]) FROM bodies
    UNION ALL
    SELECT 'communes', 'sector', sector FROM communes
    UNION ALL
    SELECT 'import_log', 'source', source FROM import_log
    UNION ALL
    SELECT 'audit_events', 'event', event FROM audit_events
),
wrong AS (
    SELECT c.table_name, c.column_name, c.value
    FROM cells AS c
    JOIN accepted AS a USING (table_name, column_name)
    WHERE CASE WHEN c.value IS NULL THEN NOT a.may_be_null ELSE NOT list_contains(a.allowed, c.value) END
    UNION ALL
    -- a substitution names its substitute, a proxy may name its holder (not when the minutes do not: migration
    -- 009), no other status names a delegate
    SELECT 'attendance', 'delegate_id',
           CASE WHEN delegate_id IS NULL THEN 'missing_delegate' ELSE 'unexpected_delegate' END
    FROM attendance
    WHERE (status = 'substituted' AND delegate_id IS NULL)
       OR (status NOT IN ('proxy', 'substituted') AND delegate_id IS NOT NULL)
    UNION ALL
    SELECT 'attendance', 'delegate_id', 'self_delegate'
    FROM attendance WHERE delegate_id = person_id
    UNION ALL
    SELECT 'memberships', 'end_date', 'before_start'
    FROM memberships WHERE end_date < start_date
),
final AS (
    SELECT table_name, column_name, value, count(*) AS rows
    FROM wrong
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY table_name, column_name, value NULLS FIRST
