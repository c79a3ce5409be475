-- The meetings whose stored counts (attendance_meeting_tallies) differ from a recount (check_recount_meetings: the
-- rows the fill query analytics/sql/attendance_tallies_fill_meetings.sql would insert now, registered by
-- store/check.py) — a row altered, missing, in excess or twice. One row per such meeting, with its number of rows
-- on each side; `total` is the number of meetings, the rows being cut to $limit.
WITH stored_only AS (
    SELECT meeting_id, body_code, meeting_date, convened, present, remote, excused, absent, proxy, substituted,
           communes_convened, communes_represented
    FROM attendance_meeting_tallies
    EXCEPT ALL
    SELECT meeting_id, body_code, meeting_date, convened, present, remote, excused, absent, proxy, substituted,
           communes_convened, communes_represented
    FROM check_recount_meetings
),
recount_only AS (
    SELECT meeting_id, body_code, meeting_date, convened, present, remote, excused, absent, proxy, substituted,
           communes_convened, communes_represented
    FROM check_recount_meetings
    EXCEPT ALL
    SELECT meeting_id, body_code, meeting_date, convened, present, remote, excused, absent, proxy, substituted,
           communes_convened, communes_represented
    FROM attendance_meeting_tallies
),
sides AS (
    SELECT 'stored' AS side, meeting_id, body_code, meeting_date FROM stored_only
    UNION ALL
    SELECT 'recount', meeting_id, body_code, meeting_date FROM recount_only
),
differing AS (
    SELECT meeting_id, min(body_code) AS body_code, min(meeting_date) AS meeting_date,
           count(*) FILTER (WHERE side = 'stored') AS stored_rows,
           count(*) FILTER (WHERE side = 'recount') AS recount_rows
    FROM sides
    GROUP BY meeting_id
),
final AS (
    SELECT *, count(*) OVER () AS total FROM differing
)
SELECT * FROM final
ORDER BY meeting_date, meeting_id
LIMIT $limit
