-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per person, body and
-- month, of every month; also the recount of store/check.py. A write of a few sittings counts the months of theirs
-- with attendance_tallies_touched_months.
INSERT INTO attendance_month_tallies (person_id, body_code, month, convened, present, remote, excused, absent, proxy,
                                      substituted)
WITH segment_months AS (
    SELECT g.body_code, g.first_day, g.month, count(*) AS meetings
    FROM (SELECT body_code, first_day, date_trunc('month', meeting_date)::DATE AS month
          FROM convened_meetings()) AS g
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
    FROM substitute_convocations()
),
convened AS (
    SELECT c.person_id, c.body_code, c.month, sum(c.convened) AS convened
    FROM convocations AS c
    GROUP BY ALL
),
recorded AS (
    SELECT r.person_id, r.body_code, r.month,
           count(*) FILTER (r.status = 'present') AS present, count(*) FILTER (r.status = 'remote') AS remote,
           count(*) FILTER (r.status = 'excused') AS excused, count(*) FILTER (r.status = 'absent') AS absent,
           count(*) FILTER (r.status = 'proxy') AS proxy, count(*) FILTER (r.status = 'substituted') AS substituted
    FROM (SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE AS month, status
          FROM recorded_convocations()) AS r
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
