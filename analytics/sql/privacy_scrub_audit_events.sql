-- Audit details that hold the erased person's full name ("nom prénom" or "prénom nom", without case, accents
-- or repeated spaces) keep only the person's id.
UPDATE audit_events AS e
SET detail = 'donnée effacée (personne n° ' || $person_id::VARCHAR || ')'
FROM (
    SELECT strip_accents(lower(regexp_replace(trim($last_name) || ' ' || trim($first_name), '\s+', ' ', 'g')))
               AS last_first,
           strip_accents(lower(regexp_replace(trim($first_name) || ' ' || trim($last_name), '\s+', ' ', 'g')))
               AS first_last
) AS n
WHERE contains(strip_accents(lower(regexp_replace(e.detail, '\s+', ' ', 'g'))), n.last_first)
   OR contains(strip_accents(lower(regexp_replace(e.detail, '\s+', ' ', 'g'))), n.first_last);
