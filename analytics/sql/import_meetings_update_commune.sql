-- The commune of the meetings whose commune an import changed, only those (see import_meetings_update).
UPDATE meetings AS m
SET commune_insee = s.commune_insee
FROM staged AS s
WHERE m.meeting_id = s.meeting_id AND m.commune_insee IS DISTINCT FROM s.commune_insee;
