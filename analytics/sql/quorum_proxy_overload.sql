-- Members holding more than one proxy at a held meeting in [$start, $end] (CGCT L2121-20: one proxy at most).
-- At a sitting with an agenda the proxies are counted point by point (item_attendance, migration 006): a proxy
-- until point 24 and another from point 25 never meet. `item` names the first point where the holder holds more
-- than one, when one of those proxies is bounded to a range of points (NULL otherwise: the whole sitting).
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
given AS (
    -- the sitting-level rows of sittings without an agenda, and each point's rows of the others
    SELECT meeting_id, person_id, status, delegate_id, 0 AS position, NULL::VARCHAR AS item, false AS bounded
    FROM attendance
    ANTI JOIN agenda_items AS i USING (meeting_id)
    UNION ALL
    SELECT meeting_id, person_id, status, delegate_id, position, item, bounded
    FROM item_attendance
),
proxies AS (
    -- proxies given by convened members; rows of people not convened are ignored, as in every indicator
    SELECT a.meeting_id, a.delegate_id AS holder_id, a.position, a.item, a.bounded
    FROM given AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    WHERE a.status = 'proxy'
      AND a.delegate_id IS NOT NULL  -- a holder the minutes do not name cannot be judged (migration 009)
),
points AS (
    SELECT meeting_id, holder_id, position, item, count(*) AS proxies, bool_or(bounded) AS bounded
    FROM proxies
    GROUP BY meeting_id, holder_id, position, item
    HAVING count(*) > 1
),
holders AS (
    SELECT meeting_id, holder_id, max(proxies) AS proxies,
           CASE WHEN bool_or(bounded) THEN arg_min(item, position) END AS item
    FROM points
    GROUP BY meeting_id, holder_id
),
final AS (
    SELECT o.meeting_id, h.body_code, b.name AS body_name, h.meeting_date, o.holder_id,
           p.last_name, p.first_name, o.proxies, o.item, b.sort_order
    FROM holders AS o
    JOIN held AS h USING (meeting_id)
    JOIN bodies AS b ON b.code = h.body_code
    JOIN persons AS p ON p.person_id = o.holder_id
)
SELECT meeting_id, body_code, body_name, meeting_date, holder_id, last_name, first_name, proxies, item
FROM final
ORDER BY meeting_date, sort_order, meeting_id, lower(strip_accents(last_name)), holder_id
