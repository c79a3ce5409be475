-- The bounded rows of $person_id at the held meetings of [$start, $end] (arrived at point 5, left after point 24,
-- proxy from point 25…), in agenda order, with the first and last points of each agenda and the delegate's name.
WITH mine AS (
    SELECT s.meeting_id, s.span, s.from_item, s.to_item, s.status, s.delegate_id
    FROM attendance_spans AS s
    JOIN meetings AS m USING (meeting_id)
    WHERE s.person_id = $person_id AND m.status = 'held' AND m.meeting_date BETWEEN $start AND $end
),
ends AS (
    SELECT i.meeting_id, arg_min(i.item, i.position) AS first_item, arg_max(i.item, i.position) AS last_item
    FROM agenda_items AS i
    SEMI JOIN mine ON mine.meeting_id = i.meeting_id
    GROUP BY i.meeting_id
),
final AS (
    SELECT mine.meeting_id, mine.span, mine.from_item, mine.to_item, mine.status, mine.delegate_id,
           e.first_item, e.last_item, d.last_name AS delegate_last_name, d.first_name AS delegate_first_name
    FROM mine
    LEFT JOIN ends AS e USING (meeting_id)
    LEFT JOIN persons AS d ON d.person_id = mine.delegate_id
)
SELECT * FROM final
ORDER BY meeting_id, span
