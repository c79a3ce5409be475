-- New persons of an import (their ids were reserved by import_person_ids).
INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key)
SELECT person_id::INTEGER, last_name, first_name, commune_insee, match_key
FROM staged;
