-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per person, body and
-- month, of every month when $all, else of the months of the sittings written ($bodies[i] on $days[i]), for every
-- person; $since and $until bound whole months.
INSERT INTO attendance_month_tallies (person_id, body_code, month, convened, present, remote, excused, absent, proxy,
                                      substituted)
WITH touched AS (
    SELECT DISTINCT body_code, date_trunc('month', meeting_date)::DATE AS month
    FROM (SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date)
),
segment_months AS (
    SELECT g.body_code, g.first_day, g.month, count(*) AS meetings
    FROM (SELECT body_code, first_day, date_trunc('month', meeting_date)::DATE AS month
          FROM convened_meetings($since, $until)) AS g
    WHERE $all OR EXISTS (SELECT 1 FROM touched AS w WHERE w.body_code = g.body_code AND w.month = g.month)
    GROUP BY ALL
),
convocations AS (
    -- a member proper is convened to every held meeting of the segments they sit in
    SELECT s.person_id, s.body_code, g.month, g.meetings AS convened
    FROM membership_segments() AS s
    JOIN segment_months AS g USING (body_code, first_day)
    UNION ALL
    -- a substitute, to the meetings where they sit (migration 005)
    SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE, 1
    FROM substitute_convocations($since, $until)
),
convened AS (
    SELECT c.person_id, c.body_code, c.month, sum(c.convened) AS convened
    FROM convocations AS c
    WHERE $all OR EXISTS (SELECT 1 FROM touched AS w WHERE w.body_code = c.body_code AND w.month = c.month)
    GROUP BY ALL
),
recorded AS (
    SELECT r.person_id, r.body_code, r.month,
           count(*) FILTER (r.status = 'present') AS present, count(*) FILTER (r.status = 'remote') AS remote,
           count(*) FILTER (r.status = 'excused') AS excused, count(*) FILTER (r.status = 'absent') AS absent,
           count(*) FILTER (r.status = 'proxy') AS proxy, count(*) FILTER (r.status = 'substituted') AS substituted
    FROM (SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE AS month, status
          FROM recorded_convocations($since, $until)) AS r
    WHERE $all OR EXISTS (SELECT 1 FROM touched AS w WHERE w.body_code = r.body_code AND w.month = r.month)
    GROUP BY ALL
),
final AS (
    SELECT c.person_id, c.body_code, c.month, c.convened,
           coalesce(r.present, 0) AS present, coalesce(r.remote, 0) AS remote,
           coalesce(r.excused, 0) AS excused, coalesce(r.absent, 0) AS absent,
           coalesce(r.proxy, 0) AS proxy, coalesce(r.substituted, 0) AS substituted
    FROM convened AS c
    LEFT JOIN recorded AS r USING (person_id, body_code, month)
)
SELECT * FROM final
