-- Communes of the reference file that the database does not hold yet.
INSERT INTO communes
SELECT ref.insee, ref.name, ref.population_2019, ref.population_2022, ref.population_2025,
       ref.council_size, ref.lat, ref.lon, ref.sector
FROM ref_communes AS ref
ANTI JOIN communes USING (insee);
