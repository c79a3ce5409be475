-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per person, body and
-- month.
INSERT INTO attendance_month_tallies (person_id, body_code, month, convened, present, remote, excused, absent, proxy,
                                      substituted)
WITH segment_months AS (
    SELECT body_code, first_day, date_trunc('month', meeting_date)::DATE AS month, count(*) AS meetings
    FROM convened_meetings()
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
    SELECT person_id, body_code, month, sum(convened) AS convened
    FROM convocations
    GROUP BY ALL
),
recorded AS (
    SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE AS month,
           count(*) FILTER (WHERE status = 'present') AS present,
           count(*) FILTER (WHERE status = 'remote') AS remote,
           count(*) FILTER (WHERE status = 'excused') AS excused,
           count(*) FILTER (WHERE status = 'absent') AS absent,
           count(*) FILTER (WHERE status = 'proxy') AS proxy,
           count(*) FILTER (WHERE status = 'substituted') AS substituted
    FROM recorded_convocations()
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
