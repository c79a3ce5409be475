-- The (person, body, month) whose stored counts (attendance_month_tallies) differ from a recount
-- (check_recount_months: the rows the fill query analytics/sql/attendance_tallies_fill_months.sql would insert now,
-- registered by store/check.py) — a row altered, missing, in excess or twice. One row per such key, with its number
-- of rows on each side; `total` is their number, the rows being cut to $limit.
WITH stored_only AS (
    SELECT person_id, body_code, month, convened, present, remote, excused, absent, proxy, substituted
    FROM attendance_month_tallies
    EXCEPT ALL
    SELECT person_id, body_code, month, convened, present, remote, excused, absent, proxy, substituted
    FROM check_recount_months
),
recount_only AS (
    SELECT person_id, body_code, month, convened, present, remote, excused, absent, proxy, substituted
    FROM check_recount_months
    EXCEPT ALL
    SELECT person_id, body_code, month, convened, present, remote, excused, absent, proxy, substituted
    FROM attendance_month_tallies
),
sides AS (
    SELECT 'stored' AS side, person_id, body_code, month FROM stored_only
    UNION ALL
    SELECT 'recount', person_id, body_code, month FROM recount_only
),
differing AS (
    SELECT person_id, body_code, month,
           count(*) FILTER (WHERE side = 'stored') AS stored_rows,
           count(*) FILTER (WHERE side = 'recount') AS recount_rows
    FROM sides
    GROUP BY ALL
),
final AS (
    SELECT *, count(*) OVER () AS total FROM differing
)
SELECT * FROM final
ORDER BY month, body_code, person_id
LIMIT $limit
