-- The erased person's name: "ANONYME" and "n° <id>". The id, the commune and everything that refers to the id
-- stay, so every indicator is unchanged. The identifier the secretariat chose may hold personal data: it goes too.
UPDATE persons
SET last_name = 'ANONYME', first_name = 'n° ' || person_id::VARCHAR, identifier = NULL
WHERE person_id = $person_id;
