-- Attendance counts per person and body over [$start, $end], rolled up to the levels body, person, commune,
-- sector and person_body (column `level`). The levels come together because the costly part is the single pass
-- over attendance; the rollups work on a few thousand (person, body) rows.
WITH held AS (
    -- only held meetings convene anyone: cancelled and planned ones never count
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
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
ranked AS (
    -- n: number of held meetings of the body on or before meeting_date (a body meets at most once a day)
    SELECT body_code, meeting_date, row_number() OVER (PARTITION BY body_code ORDER BY meeting_date) AS n
    FROM held
),
convened AS (
    -- meetings inside each span from the ranks at its two ends, rather than pairing every span with every meeting
    SELECT s.person_id, s.body_code,
           sum(coalesce(up_to_end.n, 0) - coalesce(before_start.n, 0)) AS convened
    FROM spans AS s
    ASOF LEFT JOIN ranked AS up_to_end
        ON up_to_end.body_code = s.body_code AND up_to_end.meeting_date <= s.end_date
    ASOF LEFT JOIN ranked AS before_start
        ON before_start.body_code = s.body_code AND before_start.meeting_date < s.start_date
    GROUP BY s.person_id, s.body_code
),
marks AS (
    -- recorded statuses of convened people; rows of people not convened are ignored, and not_recorded is derived
    -- as convened - recorded so that a missing row and an explicit not_recorded row count alike
    SELECT a.person_id, h.body_code, a.status, count(*) AS n
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN open_memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date BETWEEN m.start_date AND m.end_date
    WHERE a.status <> 'not_recorded'
    GROUP BY ALL
),
person_body AS (
    SELECT c.person_id, c.body_code, c.convened,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'present'), 0) AS present,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'remote'), 0) AS remote,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'excused'), 0) AS excused,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'absent'), 0) AS absent,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'proxy'), 0) AS proxy,
           coalesce(sum(k.n) FILTER (WHERE k.status = 'substituted'), 0) AS substituted
    FROM convened AS c
    LEFT JOIN marks AS k USING (person_id, body_code)
    -- a key is listed only if someone was convened for it in the range
    WHERE c.convened > 0
    GROUP BY c.person_id, c.body_code, c.convened
),
placed AS (
    SELECT pb.*, p.commune_insee, co.sector
    FROM person_body AS pb
    JOIN persons AS p USING (person_id)
    LEFT JOIN communes AS co ON co.insee = p.commune_insee
),
rolled AS (
    -- weighted by convocations: counts are summed, the rates are divided afterwards
    SELECT CASE grouping(body_code, person_id, commune_insee, sector)
               WHEN 0 THEN 'person_body'  -- 0b0000: every key kept
               WHEN 7 THEN 'body'         -- 0b0111: body_code kept
               WHEN 8 THEN 'person'       -- 0b1000: person_id (with its commune and sector) kept
               WHEN 12 THEN 'commune'     -- 0b1100: commune_insee (with its sector) kept
               WHEN 14 THEN 'sector'      -- 0b1110: sector kept
           END AS level,
           body_code, person_id, commune_insee, sector,
           sum(convened) AS convened, sum(present) AS present, sum(remote) AS remote, sum(excused) AS excused,
           sum(absent) AS absent, sum(proxy) AS proxy, sum(substituted) AS substituted
    FROM placed
    GROUP BY GROUPING SETS ((body_code, person_id, commune_insee, sector), (body_code),
                            (person_id, commune_insee, sector), (commune_insee, sector), (sector))
),
counted AS (
    SELECT *, present + remote + excused + absent + proxy + substituted AS recorded
    FROM rolled
    -- people with no commune belong to no commune or sector row
    WHERE NOT (level IN ('commune', 'sector') AND sector IS NULL)
),
final AS (
    SELECT k.level,
           k.body_code, b.name AS body_name, b.sort_order, b.required_rate,
           k.person_id, p.last_name, p.first_name,
           k.commune_insee, co.name AS commune_name, k.sector,
           k.convened::BIGINT AS convened, k.recorded::BIGINT AS recorded,
           k.present::BIGINT AS present, k.remote::BIGINT AS remote, k.excused::BIGINT AS excused,
           k.absent::BIGINT AS absent, k.proxy::BIGINT AS proxy, k.substituted::BIGINT AS substituted,
           (k.convened - k.recorded)::BIGINT AS not_recorded,
           (k.present + k.remote) / NULLIF(k.recorded, 0) AS presence_rate,
           (k.present + k.remote + k.proxy + k.substituted) / NULLIF(k.recorded, 0) AS participation_rate,
           k.excused / NULLIF(k.recorded, 0) AS excused_share,
           k.absent / NULLIF(k.recorded, 0) AS unexcused_share,
           k.recorded / NULLIF(k.convened, 0) AS completeness
    FROM counted AS k
    LEFT JOIN bodies AS b ON b.code = k.body_code
    LEFT JOIN persons AS p ON p.person_id = k.person_id
    LEFT JOIN communes AS co ON co.insee = k.commune_insee
)
SELECT * FROM final
