-- The members of $body in office on $on, one row a person, for the minutes reader (analytics/ingest/minutes):
-- their name, commune, identifier, their role that day (a role other than substitute wins when several
-- memberships cover the day), and whether their commune then holds a single seat of the Conseil (only such a
-- commune has a substitute, CGCT L5211-6).
WITH office AS (
    SELECT person_id, role
    FROM memberships
    WHERE body_code = $body AND start_date <= $on::DATE AND (end_date IS NULL OR end_date >= $on::DATE)
),

roles AS (
    SELECT person_id, arg_min(role, CASE WHEN role = 'substitute' THEN 1 ELSE 0 END) AS role
    FROM office
    GROUP BY person_id
),

seats AS (
    SELECT p.commune_insee, count(DISTINCT m.person_id) AS seats
    FROM memberships AS m
    JOIN persons AS p ON p.person_id = m.person_id
    WHERE m.body_code = 'conseil' AND m.role <> 'substitute'
      AND m.start_date <= $on::DATE AND (m.end_date IS NULL OR m.end_date >= $on::DATE)
    GROUP BY p.commune_insee
),

final AS (
    SELECT r.person_id, p.last_name, p.first_name, p.commune_insee, c.name AS commune_name, r.role, p.identifier,
           coalesce(s.seats, 0) = 1 AS single_seat
    FROM roles AS r
    JOIN persons AS p ON p.person_id = r.person_id
    LEFT JOIN communes AS c ON c.insee = p.commune_insee
    LEFT JOIN seats AS s ON s.commune_insee = p.commune_insee
)

SELECT * FROM final ORDER BY last_name, first_name, person_id;
