-- Benchmark data: $persons synthetic people spread over the communes, one in twenty with no commune.
INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key)
WITH numbered_communes AS (
    SELECT insee, row_number() OVER (ORDER BY insee) - 1 AS k, count(*) OVER () AS communes
    FROM communes
),
final AS (
    SELECT i AS person_id, 'Nom' || i AS last_name, 'Prénom' || i AS first_name,
           CASE WHEN i % 20 <> 0 THEN c.insee END AS commune_insee,
           'nom' || i || '|prenom' || i AS match_key
    FROM range(1, $persons + 1) AS t(i)
    JOIN numbered_communes AS c ON c.k = i % c.communes
)
SELECT * FROM final
