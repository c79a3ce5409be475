-- One person by id: name, commune, what the erasure keeps (memberships, attendance rows) and whether the
-- person was already erased ("effacé|<id>") or is the temporary row of an erasure under way.
WITH person AS (
    SELECT person_id, last_name, first_name, commune_insee, match_key
    FROM persons
    WHERE person_id = $person_id
),
final AS (
    SELECT p.person_id, p.last_name, p.first_name, p.commune_insee, c.name AS commune_name,
           (SELECT count(*) FROM memberships AS m WHERE m.person_id = p.person_id) AS memberships,
           (SELECT count(*) FROM attendance AS a WHERE a.person_id = p.person_id) AS attendance_rows,
           starts_with(p.match_key, 'effacé|') AS erased,
           starts_with(p.match_key, 'effacé-en-cours|') AS placeholder
    FROM person AS p
    LEFT JOIN communes AS c ON c.insee = p.commune_insee
)
SELECT * FROM final;
