-- Attendance counts per sector and month over [$start, $end] (level sector_month).
WITH held AS (
    -- only held meetings convene anyone: cancelled and planned ones never count
    SELECT meeting_id, body_code, meeting_date, date_trunc('month', meeting_date)::DATE AS month
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
sectors AS (
    -- people with no commune belong to no sector row
    SELECT p.person_id, co.sector
    FROM persons AS p
    JOIN communes AS co ON co.insee = p.commune_insee
),
open_memberships AS (
    SELECT person_id, body_code, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
),
reach AS (
    -- latest end among the earlier memberships of the same person in the same body
    SELECT *,
           max(end_date) OVER (PARTITION BY person_id, body_code ORDER BY start_date, end_date
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM open_memberships
),
islands AS (
    SELECT *,
           sum(CASE WHEN reached IS NULL OR start_date > reached THEN 1 ELSE 0 END)
               OVER (PARTITION BY person_id, body_code ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING)
               AS island
    FROM reach
),
spans AS (
    -- overlapping memberships (a change of role…) merged, so that a person is convened once per meeting
    SELECT person_id, body_code, min(start_date) AS start_date, max(end_date) AS end_date
    FROM islands
    GROUP BY person_id, body_code, island
),
convened AS (
    -- a range join of two small tables (held meetings × spans of the same body), aggregated as it streams
    SELECT se.sector, h.month, count(*) AS convened
    FROM held AS h
    JOIN spans AS s ON s.body_code = h.body_code AND h.meeting_date BETWEEN s.start_date AND s.end_date
    JOIN sectors AS se ON se.person_id = s.person_id
    GROUP BY ALL
),
marks AS (
    -- recorded statuses of convened people; rows of people not convened are ignored, and not_recorded is derived
    -- as convened - recorded so that a missing row and an explicit not_recorded row count alike
    SELECT se.sector, h.month, a.status, count(*) AS n
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN open_memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date BETWEEN m.start_date AND m.end_date
    JOIN sectors AS se ON se.person_id = a.person_id
    WHERE a.status <> 'not_recorded'
    GROUP BY ALL
),
counted AS (
    SELECT c.sector, c.month, c.convened,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'present'), 0) AS present,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'remote'), 0) AS remote,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'excused'), 0) AS excused,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'absent'), 0) AS absent,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'proxy'), 0) AS proxy,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'substituted'), 0) AS substituted,
           coalesce(sum(k.n), 0) AS recorded
    FROM convened AS c
    LEFT JOIN marks AS k USING (sector, month)
    GROUP BY c.sector, c.month, c.convened
),
final AS (
    SELECT 'sector_month' AS level, sector, month,
           convened::BIGINT AS convened, recorded::BIGINT AS recorded,
           present::BIGINT AS present, remote::BIGINT AS remote, excused::BIGINT AS excused,
           absent::BIGINT AS absent, proxy::BIGINT AS proxy, substituted::BIGINT AS substituted,
           (convened - recorded)::BIGINT AS not_recorded,
           (present + remote) / NULLIF(recorded, 0) AS presence_rate,
           (present + remote + proxy + substituted) / NULLIF(recorded, 0) AS participation_rate,
           excused / NULLIF(recorded, 0) AS excused_share,
           absent / NULLIF(recorded, 0) AS unexcused_share,
           recorded / NULLIF(convened, 0) AS completeness
    FROM counted
)
SELECT * FROM final
