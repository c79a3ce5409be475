-- The sign-in sheet of a body on a date: every member convened that day, with the stored status if any.
WITH convened AS (
    SELECT ms.person_id, ms.role,
           row_number() OVER (PARTITION BY ms.person_id ORDER BY ms.start_date DESC) AS latest
    FROM memberships AS ms
    WHERE ms.body_code = $body
      AND ms.start_date <= $day
      AND (ms.end_date IS NULL OR $day <= ms.end_date)
),

meeting AS (
    SELECT meeting_id FROM meetings WHERE body_code = $body AND meeting_date = $day
),

final AS (
    SELECT c.person_id,
           upper(p.last_name) || ' ' || p.first_name AS name,
           co.name AS commune,
           c.role,
           a.status,
           a.delegate_id
    FROM convened AS c
    JOIN persons AS p USING (person_id)
    LEFT JOIN communes AS co ON co.insee = p.commune_insee
    LEFT JOIN attendance AS a ON a.person_id = c.person_id AND a.meeting_id = (SELECT meeting_id FROM meeting)
    WHERE c.latest = 1
)

SELECT * FROM final ORDER BY name;
