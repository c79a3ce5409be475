-- Every stored person, for matching the names of the files (the importer recomputes the key from the names).
WITH final AS (
    SELECT person_id, last_name, first_name, commune_insee, identifier, match_key
    FROM persons
)

SELECT * FROM final;
