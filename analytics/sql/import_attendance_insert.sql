-- New sign-ins of an import.
INSERT INTO attendance (meeting_id, person_id, status, delegate_id)
SELECT meeting_id, person_id, status, delegate_id
FROM staged;
