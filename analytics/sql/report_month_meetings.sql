-- Meetings of every body dated within [$start, $end] (the month of the pack), counted per status.
WITH chosen AS (
    SELECT status
    FROM meetings
    WHERE meeting_date BETWEEN $start::DATE AND $end::DATE
),
final AS (
    SELECT count(*) FILTER (WHERE status = 'held')::INTEGER AS held,
           count(*) FILTER (WHERE status = 'cancelled')::INTEGER AS cancelled,
           count(*) FILTER (WHERE status = 'planned')::INTEGER AS planned
    FROM chosen
)
SELECT held, cancelled, planned FROM final;
