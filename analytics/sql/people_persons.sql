-- Every person with their commune and sector: the choices of the person selector.
WITH final AS (
    SELECT p.person_id, p.last_name, p.first_name, p.commune_insee, c.name AS commune_name, c.sector
    FROM persons AS p
    LEFT JOIN communes AS c ON c.insee = p.commune_insee
)
SELECT * FROM final;
