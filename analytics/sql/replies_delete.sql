-- Replies withdrawn in the form (the member is back to "no reply"): staged meeting_id, person_id.
DELETE FROM replies AS r
USING staged AS s
WHERE r.meeting_id = s.meeting_id AND r.person_id = s.person_id;
