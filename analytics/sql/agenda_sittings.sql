-- The held sittings of $body in [$start, $end] that have an agenda, newest first, with their number of points.
WITH final AS (
    SELECT m.meeting_id, m.meeting_date, m.format, count(*) AS points
    FROM meetings AS m
    JOIN agenda_items AS i USING (meeting_id)
    WHERE m.body_code = $body AND m.status = 'held' AND m.meeting_date BETWEEN $start AND $end
    GROUP BY m.meeting_id, m.meeting_date, m.format
)
SELECT * FROM final
ORDER BY meeting_date DESC, meeting_id DESC
