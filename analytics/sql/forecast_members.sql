-- The members in office at each sitting of forecast_sittings (same parameters): the members whose quorum counts
-- (analytics/sql/quorum_quorum.sql: memberships other than substitute, a person once however many memberships
-- cover the day), with the name the pages show ("NOM Prénom") and their commune.
WITH sittings AS (
    SELECT meeting_id, meeting_date
    FROM meetings
    WHERE body_code = $body AND status = $status AND meeting_date > $after AND meeting_date <= $until
),

offices AS (
    SELECT person_id, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
    WHERE body_code = $body AND role <> 'substitute'
),

in_office AS (
    SELECT DISTINCT s.meeting_id, o.person_id
    FROM sittings AS s
    JOIN offices AS o ON s.meeting_date BETWEEN o.start_date AND o.end_date
),

final AS (
    SELECT i.meeting_id, i.person_id, upper(p.last_name) || ' ' || p.first_name AS name, p.commune_insee,
           c.name AS commune_name
    FROM in_office AS i
    JOIN persons AS p USING (person_id)
    LEFT JOIN communes AS c ON c.insee = p.commune_insee
)

SELECT * FROM final ORDER BY meeting_id, name, person_id;
