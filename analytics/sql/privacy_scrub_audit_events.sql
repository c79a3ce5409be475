-- Audit details that name the erased person (privacy_names, see privacy_scrub_macros) keep only the person's id.
-- Who did what (username, event, time) stays: the trail must still say it, and accounts are not the persons
-- convened (an account is removed with "python -m analytics user remove").
UPDATE audit_events
SET detail = 'donnée effacée (personne n° ' || $person_id::VARCHAR || ')'
WHERE privacy_names(detail, $last_name, $first_name);
