-- The erased person's name: "ANONYME" and "n° <id>". The id, the commune and everything that refers to the id
-- stay, so every indicator is unchanged.
UPDATE persons
SET last_name = 'ANONYME', first_name = 'n° ' || person_id::VARCHAR
WHERE person_id = $person_id;
