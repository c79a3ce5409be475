-- Refresh of the pre-aggregated tallies (migration 003): forget the counts per person, body and month, of every
-- month when $all, else of the months of the sittings written ($bodies[i] on $days[i]), for every person.
WITH touched AS (
    SELECT DISTINCT body_code, date_trunc('month', meeting_date)::DATE AS month
    FROM (SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date)
)
DELETE FROM attendance_month_tallies AS t
WHERE $all OR EXISTS (SELECT 1 FROM touched AS w WHERE w.body_code = t.body_code AND w.month = t.month)
