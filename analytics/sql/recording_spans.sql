-- The bounded rows of the sitting $meeting_id (arrivals, departures, proxies from a point), for the form.
WITH final AS (
    SELECT person_id, span, from_item, to_item, status, delegate_id
    FROM attendance_spans
    WHERE meeting_id = $meeting_id
)
SELECT * FROM final
ORDER BY person_id, span
