-- The resolved rows of the keys floor (staged: meeting_id, person_id, status, delegate_id), written in one go.
INSERT INTO attendance SELECT meeting_id, person_id, status, delegate_id FROM staged
