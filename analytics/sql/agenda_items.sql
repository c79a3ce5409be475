-- The agenda of the sitting $meeting_id: its points in natural order (position), with their titles.
WITH final AS (
    SELECT position, item, title
    FROM agenda_items
    WHERE meeting_id = $meeting_id
)
SELECT * FROM final
ORDER BY position
