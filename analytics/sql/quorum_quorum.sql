-- Quorum of every held sitting of the body $body (the Conseil) in [$start, $end] (CGCT L2121-17 via L5211-1):
-- more than half of the members in office physically present; proxies do not count; a sitting reconvened after a
-- failed one needs no quorum.
WITH sittings AS (
    SELECT meeting_id, body_code, meeting_date, meeting_type
    FROM meetings
    WHERE body_code = $body AND status = 'held' AND meeting_date BETWEEN $start AND $end
),
in_office AS (
    -- members in office on the day: substitutes sit only in place of a member, they are not members themselves;
    -- GROUP BY keeps one row per person even with overlapping memberships
    SELECT s.meeting_id, m.person_id
    FROM sittings AS s
    JOIN memberships AS m
        ON m.body_code = s.body_code AND m.role <> 'substitute'
       AND s.meeting_date >= m.start_date AND (m.end_date IS NULL OR s.meeting_date <= m.end_date)
    GROUP BY s.meeting_id, m.person_id
),
present AS (
    -- remote members count as present: a sitting held in several places by video (CGCT L5211-11-1) judges the
    -- quorum on the members present in all of them
    SELECT a.meeting_id, a.person_id
    FROM attendance AS a
    JOIN sittings AS s USING (meeting_id)
    WHERE a.status IN ('present', 'remote')
),
counted AS (
    SELECT o.meeting_id, count(*) AS in_office, count(p.person_id) AS present
    FROM in_office AS o
    LEFT JOIN present AS p ON p.meeting_id = o.meeting_id AND p.person_id = o.person_id
    GROUP BY o.meeting_id
),
tallied AS (
    SELECT s.meeting_id, s.body_code, s.meeting_date, s.meeting_type,
           coalesce(c.in_office, 0) AS in_office, coalesce(c.present, 0) AS present,
           coalesce(c.in_office, 0) // 2 + 1 AS required  -- more than half
    FROM sittings AS s
    LEFT JOIN counted AS c USING (meeting_id)
),
final AS (
    SELECT meeting_id, body_code, meeting_date, meeting_type,
           in_office::BIGINT AS in_office, present::BIGINT AS present, required::BIGINT AS required,
           present >= required AS reached,
           (present - required)::BIGINT AS margin,
           meeting_type = 'reconvened' AS exempt
    FROM tallied
)
SELECT * FROM final
ORDER BY meeting_date, meeting_id
