-- Meetings per calendar month in [$start, $end] by status, for the bodies listed in $body_codes. Every month of the
-- range appears, with zeros when nothing happened, so that a quiet month shows as a gap and not as a missing bar.
WITH months AS (
    SELECT unnest(range(date_trunc('month', $start::DATE), $end::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH))::DATE
           AS month
),
chosen AS (
    SELECT date_trunc('month', meeting_date)::DATE AS month, status
    FROM meetings
    WHERE meeting_date BETWEEN $start::DATE AND $end::DATE
      AND list_contains($body_codes::VARCHAR[], body_code)
),
final AS (
    -- a month without meetings joins no row: its filtered counts are 0
    SELECT months.month,
           count(*) FILTER (WHERE chosen.status = 'held')::INTEGER AS held,
           count(*) FILTER (WHERE chosen.status = 'cancelled')::INTEGER AS cancelled,
           count(*) FILTER (WHERE chosen.status = 'planned')::INTEGER AS planned
    FROM months
    LEFT JOIN chosen USING (month)
    GROUP BY months.month
)
SELECT * FROM final
ORDER BY month;
