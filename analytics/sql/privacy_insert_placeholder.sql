-- A temporary anonymous person that holds the erased person's memberships and attendance while the person's
-- row is re-keyed: DuckDB refuses to change an indexed column (match_key is UNIQUE) of a row that other tables
-- reference, even inside one transaction. It has the same commune, so that counts per commune and sector stay
-- exact even if the process stops half-way. Its id is past every existing one, whatever the sequence says.
INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key)
SELECT greatest(nextval('person_id_seq'), (SELECT max(person_id) + 1 FROM persons)),
       'ANONYME', 'n° ' || person_id::VARCHAR, commune_insee, 'effacé-en-cours|' || person_id::VARCHAR
FROM persons
WHERE person_id = $person_id
RETURNING person_id;
