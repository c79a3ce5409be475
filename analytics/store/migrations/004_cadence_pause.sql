-- The months in which a body takes its break (DESIGN.md §2: the charter's summer pause is not a failure): a cadence
-- period made only of paused months is not judged. Month numbers 1–12 separated by commas ('8', '7,8'); NULL or ''
-- for none. A VARCHAR rather than INTEGER[]: DuckDB cannot update a list column of a table other tables reference,
-- and the bodies are referenced by memberships and meetings. ALTER TABLE cannot add a CHECK in DuckDB: the catalogue
-- loader (analytics/store/reference.py) and the cadence engine validate the months.
ALTER TABLE bodies ADD COLUMN pause VARCHAR;

-- Databases created before this migration keep their bodies (the catalogue loader only inserts missing ones): give
-- them the pauses data/bodies.toml carried when the column appeared. A new database has no body yet at this point;
-- the loader then inserts the catalogue with its pauses.
UPDATE bodies SET pause = '8'
WHERE code IN ('direction', 'travail_mobilite', 'travail_transition', 'travail_economie', 'travail_habitat',
               'travail_finances', 'travail_culture');
UPDATE bodies SET pause = '7,8' WHERE code IN ('conf_centre', 'conf_nord', 'conf_sud');
