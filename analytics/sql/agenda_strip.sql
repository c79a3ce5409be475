-- Who was physically there at each point of the sitting $meeting_id (the agenda strip of the Instances page):
-- one row per point and person with a row at the sitting, their status at that point (NULL when none of their
-- bounded rows covers it) and whether they were there in the room, or by video at a sitting held by
-- teleconference (format video or mixed), as the quorum counts them.
WITH sitting AS (
    SELECT meeting_id, format FROM meetings WHERE meeting_id = $meeting_id
),
people AS (
    SELECT DISTINCT a.person_id
    FROM attendance AS a
    WHERE a.meeting_id = $meeting_id
),
grid AS (
    SELECT i.position, i.item, p.person_id
    FROM agenda_items AS i
    CROSS JOIN people AS p
    WHERE i.meeting_id = $meeting_id
),
final AS (
    SELECT g.position, g.item, g.person_id, pe.last_name, pe.first_name, r.status,
           coalesce(r.status = 'present' OR (r.status = 'remote' AND s.format IN ('video', 'mixed')), false)
               AS there
    FROM grid AS g
    CROSS JOIN sitting AS s
    JOIN persons AS pe ON pe.person_id = g.person_id
    LEFT JOIN item_attendance AS r
        ON r.meeting_id = $meeting_id AND r.position = g.position AND r.person_id = g.person_id
)
SELECT * FROM final
ORDER BY position, person_id
