-- Keys the schema declares unique (primary keys and UNIQUE constraints of migration 001), counted again from the
-- rows: a table recreated by hand without its constraints may hold duplicates. One row per key that has some,
-- with the number of duplicated values and one of them.
WITH duplicates AS (
    SELECT 'communes' AS table_name, 'insee' AS key_columns, insee AS example
    FROM communes GROUP BY ALL HAVING count(*) > 1
    UNION ALL
    SELECT 'communes', 'name', name FROM communes GROUP BY ALL HAVING count(*) > 1
    UNION ALL
    SELECT 'bodies', 'code', code FROM bodies GROUP BY ALL HAVING count(*) > 1
    UNION ALL
    SELECT 'bodies', 'name', name FROM bodies GROUP BY ALL HAVING count(*) > 1
    UNION ALL
    SELECT 'persons', 'person_id', person_id::VARCHAR FROM persons GROUP BY person_id HAVING count(*) > 1
    UNION ALL
    SELECT 'persons', 'match_key', match_key FROM persons GROUP BY ALL HAVING count(*) > 1
    UNION ALL
    SELECT 'memberships', 'membership_id', membership_id::VARCHAR FROM memberships GROUP BY membership_id
    HAVING count(*) > 1
    UNION ALL
    SELECT 'memberships', 'person_id, body_code, start_date', concat_ws(', ', person_id, body_code, start_date)
    FROM memberships GROUP BY person_id, body_code, start_date HAVING count(*) > 1
    UNION ALL
    SELECT 'meetings', 'meeting_id', meeting_id::VARCHAR FROM meetings GROUP BY meeting_id HAVING count(*) > 1
    UNION ALL
    SELECT 'meetings', 'body_code, meeting_date', concat_ws(', ', body_code, meeting_date)
    FROM meetings GROUP BY body_code, meeting_date HAVING count(*) > 1
    UNION ALL
    SELECT 'attendance', 'meeting_id, person_id', concat_ws(', ', meeting_id, person_id)
    FROM attendance GROUP BY meeting_id, person_id HAVING count(*) > 1
    UNION ALL
    SELECT 'import_log', 'import_id', import_id::VARCHAR FROM import_log GROUP BY import_id HAVING count(*) > 1
    UNION ALL
    SELECT 'change_log', 'change_id', change_id::VARCHAR FROM change_log GROUP BY change_id HAVING count(*) > 1
    UNION ALL
    SELECT 'audit_events', 'id', id::VARCHAR FROM audit_events GROUP BY id HAVING count(*) > 1
),
final AS (
    SELECT table_name, key_columns, count(*) AS duplicated, min(example) AS example
    FROM duplicates
    GROUP BY table_name, key_columns
)
SELECT * FROM final
ORDER BY table_name, key_columns
