-- The tally rows ($stored: attendance_meeting_tallies or attendance_month_tallies) that differ from a recount
-- ($recount: the rows the fill query of analytics/sql would insert now, registered by store/check.py) — a row
-- altered, missing, in excess or twice. One query for both tallies: the tables are named by parameters, the key a
-- difference is counted by ($keys: one meeting, or one person, body and month) and the columns shown ($shown) too.
-- One row per differing key, with its number of rows on each side only; `total` is the number of keys, the rows
-- being cut to $limit and ordered by the columns $order names (in that order).
WITH sides AS (
    SELECT 'stored' AS side, * FROM query_table($stored)
    UNION ALL BY NAME
    SELECT 'recount' AS side, * FROM query_table($recount)
),
-- each distinct row with how often each side holds it: the same as EXCEPT ALL both ways, in one pass
held AS (
    SELECT * EXCLUDE (side),
           count(*) FILTER (WHERE side = 'stored') AS stored_copies,
           count(*) FILTER (WHERE side = 'recount') AS recount_copies
    FROM sides
    GROUP BY ALL
),
keyed AS (
    SELECT struct_pack(*COLUMNS(lambda c: list_contains($keys, c))) AS difference_key, *
    FROM held
    WHERE stored_copies <> recount_copies
),
differing AS (
    SELECT min(COLUMNS(lambda c: list_contains($shown, c))),
           sum(greatest(stored_copies - recount_copies, 0)) AS stored_rows,
           sum(greatest(recount_copies - stored_copies, 0)) AS recount_rows
    FROM keyed
    GROUP BY difference_key
),
final AS (
    SELECT *, count(*) OVER () AS total FROM differing
)
SELECT * FROM final
ORDER BY COLUMNS(lambda c: c = $order[1]), COLUMNS(lambda c: c = $order[2]), COLUMNS(lambda c: c = $order[3])
LIMIT $limit
