-- Values of the change log that name the erased person. A change of the person's own row (a corrected name)
-- takes the anonymous values, and a change of their identifier loses it; any other value that names them
-- (privacy_names, see privacy_scrub_macros) becomes "ANONYME n° <id>". Row keys hold ids only and stay.
UPDATE change_log AS c
SET old_value = CASE
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'last_name' THEN 'ANONYME'
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'first_name' THEN n.first
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'match_key' THEN n.match_key
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'identifier' THEN NULL
        WHEN privacy_names(c.old_value, $last_name, $first_name) THEN n.anonymous
        ELSE c.old_value END,
    new_value = CASE
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'last_name' THEN 'ANONYME'
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'first_name' THEN n.first
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'match_key' THEN n.match_key
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'identifier' THEN NULL
        WHEN privacy_names(c.new_value, $last_name, $first_name) THEN n.anonymous
        ELSE c.new_value END
FROM (
    SELECT $person_id::VARCHAR AS person_key,
           'n° ' || $person_id::VARCHAR AS first,
           'effacé|' || $person_id::VARCHAR AS match_key,
           'ANONYME n° ' || $person_id::VARCHAR AS anonymous
) AS n
WHERE (c.table_name = 'persons' AND c.row_key = n.person_key)
   OR privacy_names(c.old_value, $last_name, $first_name)
   OR privacy_names(c.new_value, $last_name, $first_name);
