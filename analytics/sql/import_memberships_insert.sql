-- New memberships of an import.
INSERT INTO memberships (person_id, body_code, role, rank, start_date, end_date)
SELECT person_id, body_code, role, rank, start_date, end_date
FROM staged;
