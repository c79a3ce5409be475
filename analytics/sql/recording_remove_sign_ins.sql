-- The sign-ins of a sitting the form records as cancelled (a cancelled sitting has none): removed, and returned for
-- the change log. Its rows bounded to points go first (import_spans_delete).
DELETE FROM attendance
WHERE meeting_id = $meeting_id
RETURNING person_id, status, delegate_id;
