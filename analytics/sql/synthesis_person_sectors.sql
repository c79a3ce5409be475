-- The sector of each person, through the commune they represent (NULL for staff and partners without a commune).
WITH final AS (
    SELECT persons.person_id, communes.sector
    FROM persons
    LEFT JOIN communes ON communes.insee = persons.commune_insee
)
SELECT * FROM final;
