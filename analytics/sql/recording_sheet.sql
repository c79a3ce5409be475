-- The sign-in sheet of a body on a date: every member convened that day, with the stored status if any. The
-- substitutes of the body are listed too (a substitute is convened only where they sit in place of their titular,
-- DESIGN.md §3: the form needs them to be named and to sign in), with is_substitute true, and with the Conseil
-- seats their commune holds that day (only a commune with a single seat has a substitute, CGCT L5211-6).
WITH memberships_that_day AS (
    SELECT ms.person_id, ms.role, ms.start_date
    FROM memberships AS ms
    WHERE ms.body_code = $body
      AND ms.start_date <= $day
      AND (ms.end_date IS NULL OR $day <= ms.end_date)
),

convened AS (
    SELECT person_id,
           arg_max(role, start_date) AS role,
           -- a person who is also a member proper that day is convened as such
           bool_and(role = 'substitute') AS is_substitute
    FROM memberships_that_day
    GROUP BY person_id
),

seats AS (
    -- the Conseil seats of each commune that day: its members other than substitutes
    SELECT p.commune_insee, count(DISTINCT ms.person_id) AS commune_seats
    FROM memberships AS ms
    JOIN persons AS p USING (person_id)
    WHERE ms.body_code = 'conseil' AND ms.role <> 'substitute'
      AND ms.start_date <= $day AND (ms.end_date IS NULL OR $day <= ms.end_date)
    GROUP BY p.commune_insee
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
           a.delegate_id,
           c.is_substitute,
           p.commune_insee,
           coalesce(s.commune_seats, 0) AS commune_seats
    FROM convened AS c
    JOIN persons AS p USING (person_id)
    LEFT JOIN communes AS co ON co.insee = p.commune_insee
    LEFT JOIN seats AS s ON s.commune_insee = p.commune_insee
    LEFT JOIN attendance AS a ON a.person_id = c.person_id AND a.meeting_id = (SELECT meeting_id FROM meeting)
)

SELECT * FROM final ORDER BY name;
