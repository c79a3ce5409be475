-- The members of $body_code on $on: memberships in force that day, with the person's commune.
WITH in_force AS (
    SELECT person_id, role, rank, start_date, end_date
    FROM memberships
    WHERE body_code = $body_code
      AND start_date <= $on::DATE AND (end_date IS NULL OR end_date >= $on::DATE)
),
final AS (
    SELECT f.person_id, p.last_name, p.first_name, c.name AS commune_name, c.sector, f.role, f.rank,
           f.start_date, f.end_date
    FROM in_force AS f
    JOIN persons AS p ON p.person_id = f.person_id
    LEFT JOIN communes AS c ON c.insee = p.commune_insee
)
SELECT * FROM final;
