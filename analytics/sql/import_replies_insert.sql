-- New replies to convocations, from an import or the Saisie form.
INSERT INTO replies (meeting_id, person_id, reply, delegate_id)
SELECT meeting_id, person_id, reply, delegate_id
FROM staged;
