-- Members holding more than one proxy at a held meeting in [$start, $end] (CGCT L2121-20: one proxy at most).
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
proxies AS (
    -- proxies given by convened members; rows of people not convened are ignored, as in every indicator
    SELECT a.meeting_id, a.delegate_id AS holder_id
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    WHERE a.status = 'proxy'
),
holders AS (
    SELECT meeting_id, holder_id, count(*) AS proxies
    FROM proxies
    GROUP BY meeting_id, holder_id
    HAVING count(*) > 1
),
final AS (
    SELECT o.meeting_id, h.body_code, b.name AS body_name, h.meeting_date, o.holder_id,
           p.last_name, p.first_name, o.proxies, b.sort_order
    FROM holders AS o
    JOIN held AS h USING (meeting_id)
    JOIN bodies AS b ON b.code = h.body_code
    JOIN persons AS p ON p.person_id = o.holder_id
)
SELECT meeting_id, body_code, body_name, meeting_date, holder_id, last_name, first_name, proxies
FROM final
ORDER BY meeting_date, sort_order, meeting_id, lower(strip_accents(last_name)), holder_id
