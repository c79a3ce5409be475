-- The bounded rows of the persons and sittings whose rows an import rewrites (staged: meeting_id, person_id).
DELETE FROM attendance_spans AS s
USING staged AS k
WHERE s.meeting_id = k.meeting_id::INTEGER AND s.person_id = k.person_id::INTEGER;
