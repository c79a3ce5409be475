-- Seats of the Conseil in force on $on, per commune: the councillors then in office (substitutes are not seats) and
-- the substitutes, with every commune listed (zero when it has nobody recorded).
WITH in_force AS (
    SELECT DISTINCT m.person_id, m.role, p.commune_insee
    FROM memberships AS m
    JOIN persons AS p ON p.person_id = m.person_id
    WHERE m.body_code = 'conseil'
      AND m.start_date <= $on::DATE AND (m.end_date IS NULL OR m.end_date >= $on::DATE)
),
counted AS (
    SELECT commune_insee AS insee,
           count(DISTINCT person_id) FILTER (WHERE role <> 'substitute') AS seats,
           count(DISTINCT person_id) FILTER (WHERE role = 'substitute') AS substitutes
    FROM in_force
    GROUP BY commune_insee
),
final AS (
    SELECT c.insee, c.name, c.sector, c.population_2019, c.population_2022, c.population_2025, c.council_size,
           coalesce(counted.seats, 0)::INTEGER AS seats_in_force,
           coalesce(counted.substitutes, 0)::INTEGER AS substitutes
    FROM communes AS c
    LEFT JOIN counted USING (insee)
)
SELECT * FROM final
ORDER BY population_2025 DESC, name;
