-- Sign-ins whose status or delegate an import changed.
UPDATE attendance AS a
SET status = s.status, delegate_id = s.delegate_id
FROM staged AS s
WHERE a.meeting_id = s.meeting_id AND a.person_id = s.person_id;
