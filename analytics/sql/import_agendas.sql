-- The stored agendas, for validating an import: each sitting's points with their position and title.
WITH final AS (
    SELECT m.body_code, m.meeting_date, i.item, i.position, i.title
    FROM agenda_items AS i
    JOIN meetings AS m USING (meeting_id)
)
SELECT * FROM final
ORDER BY body_code, meeting_date, position
