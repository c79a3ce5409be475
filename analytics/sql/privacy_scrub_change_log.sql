-- Values of the change log that name the erased person. A change of the person's own row (a corrected name)
-- takes the anonymous values; any other value holding the full name, "nom prénom" or "prénom nom", compared
-- without case, accents or repeated spaces, becomes "ANONYME n° <id>". Row keys hold ids only and stay.
UPDATE change_log AS c
SET old_value = CASE
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'last_name' THEN 'ANONYME'
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'first_name' THEN n.first
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'match_key' THEN n.match_key
        WHEN contains(strip_accents(lower(regexp_replace(c.old_value, '\s+', ' ', 'g'))), n.last_first)
          OR contains(strip_accents(lower(regexp_replace(c.old_value, '\s+', ' ', 'g'))), n.first_last)
        THEN n.anonymous
        ELSE c.old_value END,
    new_value = CASE
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'last_name' THEN 'ANONYME'
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'first_name' THEN n.first
        WHEN c.table_name = 'persons' AND c.row_key = n.person_key AND c.column_name = 'match_key' THEN n.match_key
        WHEN contains(strip_accents(lower(regexp_replace(c.new_value, '\s+', ' ', 'g'))), n.last_first)
          OR contains(strip_accents(lower(regexp_replace(c.new_value, '\s+', ' ', 'g'))), n.first_last)
        THEN n.anonymous
        ELSE c.new_value END
FROM (
    SELECT $person_id::VARCHAR AS person_key,
           'n° ' || $person_id::VARCHAR AS first,
           'effacé|' || $person_id::VARCHAR AS match_key,
           'ANONYME n° ' || $person_id::VARCHAR AS anonymous,
           strip_accents(lower(regexp_replace(trim($last_name) || ' ' || trim($first_name), '\s+', ' ', 'g')))
               AS last_first,
           strip_accents(lower(regexp_replace(trim($first_name) || ' ' || trim($last_name), '\s+', ' ', 'g')))
               AS first_last
) AS n
WHERE (c.table_name = 'persons' AND c.row_key = n.person_key)
   OR contains(strip_accents(lower(regexp_replace(c.old_value, '\s+', ' ', 'g'))), n.last_first)
   OR contains(strip_accents(lower(regexp_replace(c.old_value, '\s+', ' ', 'g'))), n.first_last)
   OR contains(strip_accents(lower(regexp_replace(c.new_value, '\s+', ' ', 'g'))), n.last_first)
   OR contains(strip_accents(lower(regexp_replace(c.new_value, '\s+', ' ', 'g'))), n.first_last);
