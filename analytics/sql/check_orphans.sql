-- Rows that name a row of another table that does not exist (the foreign keys of migration 001, counted again from
-- the rows: DuckDB enforces them, but a table recreated by hand may have lost them; the sign-in table has none since
-- migration 010, which leaves this check to hold its references). One row per reference that has orphans, with
-- their number and one of the missing values.
WITH orphans AS (
    SELECT 'attendance' AS table_name, 'meeting_id' AS column_name, 'meetings' AS target,
           a.meeting_id::VARCHAR AS missing
    FROM attendance AS a ANTI JOIN meetings AS m USING (meeting_id)
    UNION ALL
    SELECT 'attendance', 'person_id', 'persons', a.person_id::VARCHAR
    FROM attendance AS a ANTI JOIN persons AS p USING (person_id)
    UNION ALL
    SELECT 'attendance', 'delegate_id', 'persons', a.delegate_id::VARCHAR
    FROM attendance AS a ANTI JOIN persons AS p ON p.person_id = a.delegate_id
    WHERE a.delegate_id IS NOT NULL
    UNION ALL
    SELECT 'memberships', 'person_id', 'persons', m.person_id::VARCHAR
    FROM memberships AS m ANTI JOIN persons AS p USING (person_id)
    UNION ALL
    SELECT 'memberships', 'body_code', 'bodies', m.body_code
    FROM memberships AS m ANTI JOIN bodies AS b ON b.code = m.body_code
    UNION ALL
    SELECT 'meetings', 'body_code', 'bodies', m.body_code
    FROM meetings AS m ANTI JOIN bodies AS b ON b.code = m.body_code
    UNION ALL
    SELECT 'meetings', 'commune_insee', 'communes', m.commune_insee
    FROM meetings AS m ANTI JOIN communes AS c ON c.insee = m.commune_insee
    WHERE m.commune_insee IS NOT NULL
    UNION ALL
    SELECT 'persons', 'commune_insee', 'communes', p.commune_insee
    FROM persons AS p ANTI JOIN communes AS c ON c.insee = p.commune_insee
    WHERE p.commune_insee IS NOT NULL
    UNION ALL
    SELECT 'change_log', 'import_id', 'import_log', l.import_id::VARCHAR
    FROM change_log AS l ANTI JOIN import_log AS i USING (import_id)
    WHERE l.import_id IS NOT NULL
),
final AS (
    SELECT table_name, column_name, target, count(*) AS orphans, min(missing) AS example
    FROM orphans
    GROUP BY table_name, column_name, target
)
SELECT * FROM final
ORDER BY table_name, column_name
