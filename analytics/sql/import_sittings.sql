-- The stored sittings among those an import names (staged: body_code, meeting_date), read for these only (issue
-- 15: a base of 200 000 sittings is not loaded to check one sheet), with their status and commune, and whether
-- other rows reference them. DuckDB cannot SET the commune (a foreign key, hence indexed) of a row that another
-- table references, so an import is refused, before writing, when it would change the commune of a `referenced`
-- sitting; `signed`: the sitting has sign-ins, so an import cannot mark it cancelled or planned (only held
-- sittings have attendance). The semi joins let DuckDB skip the row groups of other sittings.
WITH sittings AS (
    SELECT DISTINCT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM staged
),

named AS (
    SELECT m.meeting_id, m.body_code, m.meeting_date, m.status, m.commune_insee
    FROM meetings AS m
    JOIN sittings AS s USING (body_code, meeting_date)
),

signed AS (
    SELECT meeting_id FROM attendance SEMI JOIN named USING (meeting_id)
    UNION
    SELECT meeting_id FROM attendance_spans SEMI JOIN named USING (meeting_id)
),

referenced AS (
    SELECT meeting_id FROM signed
    UNION
    SELECT meeting_id FROM replies SEMI JOIN named USING (meeting_id)
    UNION
    SELECT meeting_id FROM agenda_items SEMI JOIN named USING (meeting_id)
),

final AS (
    SELECT n.meeting_id, n.body_code, n.meeting_date, n.status, n.commune_insee,
           n.meeting_id IN (SELECT meeting_id FROM signed) AS signed,
           n.meeting_id IN (SELECT meeting_id FROM referenced) AS referenced
    FROM named AS n
)

SELECT * FROM final
