-- The erased person's name: "ANONYME" and "n° <id>"; the identifier the secretariat gave them goes too (it names
-- them in the secretariat's own files, and a later import must not find them by it). The id, the commune and
-- everything that refers to the id stay, so every indicator is unchanged.
UPDATE persons
SET last_name = 'ANONYME', first_name = 'n° ' || person_id::VARCHAR, identifier = NULL
WHERE person_id = $person_id;
