-- Members physically there at each point of every held sitting of $body (the Conseil) in [$start, $end] that has
-- an agenda (CGCT L2121-17, DESIGN.md §4: the quorum must hold at the opening and at each item put to the vote).
-- Counted as quorum_quorum.sql counts the opening: in person; by video only at a sitting held by teleconference
-- (format video or mixed); the seat of a titular substituted at that point, through the substitute who sits
-- (unless the substitute's own row at that point says they were not there, or they have rows at the sitting and
-- none covers the point); proxies never. In office: a membership other than substitute covers the date.
-- Statuses per point come from item_attendance (migration 006).
WITH sittings AS (
    SELECT meeting_id, meeting_date, format
    FROM meetings
    WHERE body_code = $body AND status = 'held' AND meeting_date BETWEEN $start AND $end
),
items AS (
    SELECT i.meeting_id, i.position, i.item, i.title, s.meeting_date, s.format
    FROM agenda_items AS i
    JOIN sittings AS s USING (meeting_id)
),
rows_ AS (
    -- each member in office's status at each point, with whether they were physically there
    SELECT i.meeting_id, i.position, r.person_id, r.status, r.delegate_id, i.format,
           r.status = 'present' OR (r.status = 'remote' AND i.format IN ('video', 'mixed')) AS there
    FROM item_attendance AS r
    JOIN items AS i USING (meeting_id, position)
    SEMI JOIN memberships AS m
        ON m.person_id = r.person_id AND m.body_code = $body AND m.role <> 'substitute'
       AND i.meeting_date >= m.start_date AND (m.end_date IS NULL OR i.meeting_date <= m.end_date)
),
seated AS (
    -- the seats of titulars substituted at a point, occupied by the substitute who sits then
    SELECT r.meeting_id, r.position, r.person_id
    FROM rows_ AS r
    LEFT JOIN item_attendance AS d
        ON d.meeting_id = r.meeting_id AND d.position = r.position AND d.person_id = r.delegate_id
    LEFT JOIN attendance AS x ON x.meeting_id = r.meeting_id AND x.person_id = r.delegate_id
    WHERE r.status = 'substituted'
      AND ((d.status IS NULL AND x.person_id IS NULL) OR d.status = 'present'
           OR (d.status = 'remote' AND r.format IN ('video', 'mixed')))
),
present AS (
    -- each seat once per point
    SELECT meeting_id, position, count(DISTINCT person_id) AS present
    FROM (SELECT meeting_id, position, person_id FROM rows_ WHERE there
          UNION ALL
          SELECT meeting_id, position, person_id FROM seated)
    GROUP BY meeting_id, position
),
final AS (
    SELECT i.meeting_id, i.meeting_date, i.position, i.item, i.title, coalesce(p.present, 0)::BIGINT AS present
    FROM items AS i
    LEFT JOIN present AS p USING (meeting_id, position)
)
SELECT * FROM final
ORDER BY meeting_date, meeting_id, position
