-- New persons of an import (their ids were reserved by import_person_ids), with the identifier the members file
-- gives them, if any (migration 005).
INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key, identifier)
SELECT person_id::INTEGER, last_name, first_name, commune_insee, match_key, identifier::VARCHAR
FROM staged;
