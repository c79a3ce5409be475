-- Meetings whose description an import changed. The commune is set apart (import_meetings_update_commune): DuckDB
-- rewrites a row whose indexed column (a foreign key) is SET, even to the same value, and refuses that for a
-- meeting that sign-ins or replies reference.
UPDATE meetings AS m
SET status = s.status, format = s.format, meeting_type = s.meeting_type, requesters = s.requesters,
    headcount = s.headcount, convocation_date = s.convocation_date
FROM staged AS s
WHERE m.meeting_id = s.meeting_id;
