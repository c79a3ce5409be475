-- Stored persons receiving the identifier a members file gives them (staged: person_id, identifier). Only persons
-- without one: the import never changes an identifier. identifier carries no index (migration 005), so DuckDB
-- lets it be written on a person other rows reference.
UPDATE persons
SET identifier = s.identifier::VARCHAR
FROM staged AS s
WHERE persons.person_id = s.person_id::INTEGER AND persons.identifier IS NULL;
