-- Held meetings per body and calendar month in [$start, $end]: the numbers written in the cadence heatmap.
WITH held AS (
    SELECT body_code, date_trunc('month', meeting_date)::DATE AS month
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start::DATE AND $end::DATE
),
final AS (
    SELECT body_code, month, count(*)::INTEGER AS held
    FROM held
    GROUP BY body_code, month
)
SELECT * FROM final
ORDER BY body_code, month;
