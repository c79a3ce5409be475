-- Every held meeting in [$start, $end] that $person_id was convened to, with their status (not_recorded when no
-- row was entered) and the member who held their proxy or substituted for them. Convened: a membership other than
-- substitute covers the date, or the person is a substitute sitting there (macro substitute_convocations,
-- migration 005).
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
convocations AS (
    -- UNION: two overlapping memberships of the same body still convene once
    SELECT h.meeting_id, h.body_code, h.meeting_date
    FROM held AS h
    JOIN memberships AS m
        ON m.body_code = h.body_code AND m.person_id = $person_id AND m.role <> 'substitute'
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    UNION
    SELECT meeting_id, body_code, meeting_date
    FROM substitute_convocations($start, $end)
    WHERE person_id = $person_id
),
final AS (
    SELECT c.meeting_id, c.body_code, b.name AS body_name, c.meeting_date,
           coalesce(a.status, 'not_recorded') AS status,
           a.delegate_id, d.last_name AS delegate_last_name, d.first_name AS delegate_first_name,
           b.sort_order
    FROM convocations AS c
    JOIN bodies AS b ON b.code = c.body_code
    LEFT JOIN attendance AS a ON a.meeting_id = c.meeting_id AND a.person_id = $person_id
    LEFT JOIN persons AS d ON d.person_id = a.delegate_id
)
SELECT meeting_id, body_code, body_name, meeting_date, status, delegate_id, delegate_last_name, delegate_first_name
FROM final
ORDER BY meeting_date, sort_order, meeting_id
