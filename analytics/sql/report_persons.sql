-- Every person with the name parts and the commune: the commune column of the people page, and the names that the
-- anonymised edition must never print.
WITH named AS (
    SELECT person_id, last_name, first_name, commune_insee
    FROM persons
),
final AS (
    SELECT named.person_id, named.last_name, named.first_name, communes.name AS commune_name
    FROM named
    LEFT JOIN communes ON communes.insee = named.commune_insee
)
SELECT * FROM final
ORDER BY person_id;
