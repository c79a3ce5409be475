-- Per commune and body over [$start, $end]: the held meetings to which the commune had someone convened, those at
-- which one of its people at least was present or remote (its representation), and the convocations with their
-- recorded statuses (presence weighted by convocations). People without a commune are left out.
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start::DATE AND $end::DATE
),
convocations AS (
    -- DISTINCT: two overlapping memberships of one person in one body convene them once; a substitute is convened
    -- only where they sit (migration 005: substitute_convocations)
    SELECT DISTINCT h.meeting_id, h.body_code, m.person_id, p.commune_insee
    FROM held AS h
    JOIN memberships AS m
        ON m.body_code = h.body_code AND m.role <> 'substitute'
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    JOIN persons AS p ON p.person_id = m.person_id
    WHERE p.commune_insee IS NOT NULL
    UNION
    SELECT s.meeting_id, s.body_code, s.person_id, p.commune_insee
    FROM substitute_convocations($start::DATE, $end::DATE) AS s
    JOIN persons AS p ON p.person_id = s.person_id
    WHERE p.commune_insee IS NOT NULL
),
marked AS (
    SELECT c.meeting_id, c.body_code, c.commune_insee, coalesce(a.status, 'not_recorded') AS status
    FROM convocations AS c
    LEFT JOIN attendance AS a ON a.meeting_id = c.meeting_id AND a.person_id = c.person_id
),
per_meeting AS (
    SELECT meeting_id, body_code, commune_insee,
           count(*) AS convened,
           count(*) FILTER (WHERE status <> 'not_recorded') AS recorded,
           count(*) FILTER (WHERE status IN ('present', 'remote')) AS attending,
           count(*) FILTER (WHERE status IN ('present', 'remote', 'proxy', 'substituted')) AS participating
    FROM marked
    GROUP BY meeting_id, body_code, commune_insee
),
final AS (
    SELECT pm.commune_insee AS insee, co.name, co.sector, pm.body_code, b.name AS body_name, b.sort_order,
           count(*)::BIGINT AS meetings_convened,
           count(*) FILTER (WHERE pm.attending > 0)::BIGINT AS meetings_represented,
           sum(pm.convened)::BIGINT AS convened,
           sum(pm.recorded)::BIGINT AS recorded,
           sum(pm.attending)::BIGINT AS attending,
           sum(pm.participating)::BIGINT AS participating
    FROM per_meeting AS pm
    JOIN communes AS co ON co.insee = pm.commune_insee
    JOIN bodies AS b ON b.code = pm.body_code
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY name, sort_order, body_code;
