-- Meetings whose description an import changed.
UPDATE meetings AS m
SET status = s.status, format = s.format, meeting_type = s.meeting_type, requesters = s.requesters,
    commune_insee = s.commune_insee, headcount = s.headcount
FROM staged AS s
WHERE m.meeting_id = s.meeting_id;
