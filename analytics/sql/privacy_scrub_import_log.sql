-- File names of the import log that hold the erased person's full name ("nom prénom" or "prénom nom", without
-- case, accents or repeated spaces) are replaced: a file is sometimes named after the person it concerns.
UPDATE import_log AS i
SET file_names = '[noms de fichiers effacés]'
FROM (
    SELECT strip_accents(lower(regexp_replace(trim($last_name) || ' ' || trim($first_name), '\s+', ' ', 'g')))
               AS last_first,
           strip_accents(lower(regexp_replace(trim($first_name) || ' ' || trim($last_name), '\s+', ' ', 'g')))
               AS first_last
) AS n
WHERE contains(strip_accents(lower(regexp_replace(i.file_names, '\s+', ' ', 'g'))), n.last_first)
   OR contains(strip_accents(lower(regexp_replace(i.file_names, '\s+', ' ', 'g'))), n.first_last);
