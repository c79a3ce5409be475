-- Replies to convocations whose answer or delegate changed.
UPDATE replies AS r
SET reply = s.reply, delegate_id = s.delegate_id
FROM staged AS s
WHERE r.meeting_id = s.meeting_id AND r.person_id = s.person_id;
