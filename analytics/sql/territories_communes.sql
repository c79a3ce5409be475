-- The 39 communes with their centroid, sector and population in force (the latest vintage).
WITH final AS (
    SELECT insee, name, sector, population_2025 AS population, lat, lon
    FROM communes
)
SELECT * FROM final
ORDER BY name;
