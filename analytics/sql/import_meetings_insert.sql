-- New meetings of an import.
INSERT INTO meetings (body_code, meeting_date, status, format, meeting_type, requesters, commune_insee, headcount,
                      convocation_date)
SELECT body_code, meeting_date, status, format, meeting_type, requesters, commune_insee, headcount, convocation_date
FROM staged;
