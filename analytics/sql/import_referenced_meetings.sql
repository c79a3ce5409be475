-- The stored sittings other rows reference (sign-ins, bounded sign-ins, replies, agenda points), with their commune:
-- DuckDB cannot SET the commune (a foreign key, hence indexed) of a row that another table references, so an import
-- is refused, before writing, when it would change the commune of one of these. `signed`: the sitting has sign-ins,
-- so an import cannot mark it cancelled or planned (only held sittings have attendance).
WITH signed AS (
    SELECT meeting_id FROM attendance
    UNION
    SELECT meeting_id FROM attendance_spans
),

referenced AS (
    SELECT meeting_id FROM attendance
    UNION
    SELECT meeting_id FROM attendance_spans
    UNION
    SELECT meeting_id FROM replies
    UNION
    SELECT meeting_id FROM agenda_items
),

final AS (
    SELECT m.body_code, m.meeting_date, m.commune_insee, m.meeting_id IN (SELECT meeting_id FROM signed) AS signed
    FROM meetings AS m
    SEMI JOIN referenced AS r USING (meeting_id)
)

SELECT * FROM final
