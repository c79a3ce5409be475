-- Quorum of every held sitting of the body $body (the Conseil) in [$start, $end] (CGCT L2121-17 via L5211-1):
-- more than half of the members in office physically present; proxies do not count; a sitting reconvened after a
-- failed one needs no quorum.
WITH sittings AS (
    SELECT meeting_id, body_code, meeting_date, meeting_type
    FROM meetings
    WHERE body_code = $body AND status = 'held' AND meeting_date BETWEEN $start AND $end
),
offices AS (
    -- memberships that put someone in office: substitutes sit only in place of a member, they are not members
    -- themselves
    SELECT person_id, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
    WHERE body_code = $body AND role <> 'substitute'
),
reach AS (
    -- latest end among the earlier offices of the same person
    SELECT *,
           max(end_date) OVER (PARTITION BY person_id ORDER BY start_date, end_date
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM offices
),
terms AS (
    -- overlapping offices of a person merged, so that a person is counted once per sitting
    SELECT person_id, min(start_date) AS start_date, max(end_date) AS end_date
    FROM (SELECT *,
                 sum(CASE WHEN reached IS NULL OR start_date > reached THEN 1 ELSE 0 END)
                     OVER (PARTITION BY person_id ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING) AS term
          FROM reach)
    GROUP BY person_id, term
),
in_office AS (
    -- members in office on the day of each sitting
    SELECT s.meeting_id, count(*) AS in_office
    FROM sittings AS s
    JOIN terms AS t ON s.meeting_date BETWEEN t.start_date AND t.end_date
    GROUP BY s.meeting_id
),
present AS (
    -- remote members count as present: a sitting held in several places by video (CGCT L5211-11-1) judges the
    -- quorum on the members present in all of them; only members in office count
    SELECT a.meeting_id, count(*) AS present
    FROM attendance AS a
    JOIN sittings AS s USING (meeting_id)
    SEMI JOIN terms AS t ON t.person_id = a.person_id AND s.meeting_date BETWEEN t.start_date AND t.end_date
    WHERE a.status IN ('present', 'remote')
    GROUP BY a.meeting_id
),
tallied AS (
    SELECT s.meeting_id, s.body_code, s.meeting_date, s.meeting_type,
           coalesce(o.in_office, 0) AS in_office, coalesce(p.present, 0) AS present,
           coalesce(o.in_office, 0) // 2 + 1 AS required  -- more than half
    FROM sittings AS s
    LEFT JOIN in_office AS o USING (meeting_id)
    LEFT JOIN present AS p USING (meeting_id)
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
