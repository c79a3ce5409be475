-- Quorum of every held sitting of the body $body (the Conseil) in [$start, $end] (CGCT L2121-17 via L5211-1,
-- DESIGN.md §4): more than half of the members in office physically present. Proxies do not count. A member
-- attending by video counts only at a sitting held by teleconference (format video or mixed, L5211-11-1). A titular
-- replaced by their substitute counts: the seat is occupied, and counted once (the substitute is not in office).
-- A reconvened sitting needs no quorum only when the previous held sitting of the body failed its quorum and it
-- comes at least 3 days later; otherwise the quorum applies as usual.
-- The figure of a sitting is the opening's (§4): at a sitting with an agenda, who was there at its first point
-- (item_attendance, migration 006: a member who arrived at point 5 was not there yet, one who left after point 24
-- was); without an agenda, the sitting-level rows. analytics/sql/agenda_item_quorum.sql counts the other points.
WITH sittings AS (
    -- every held sitting up to $end: the exemption of the first sittings of the range looks at earlier ones
    SELECT meeting_id, body_code, meeting_date, meeting_type, format
    FROM meetings
    WHERE body_code = $body AND status = 'held' AND meeting_date <= $end
),
terms AS (
    -- the members proper in office, a person's overlapping memberships merged (macro of migration 008):
    -- substitutes sit only in place of a member, they are not members themselves
    SELECT person_id, start_date, end_date
    FROM office_terms($body)
),
in_office AS (
    -- members in office on the day of each sitting
    SELECT s.meeting_id, count(*) AS in_office
    FROM sittings AS s
    JOIN terms AS t ON s.meeting_date BETWEEN t.start_date AND t.end_date
    GROUP BY s.meeting_id
),
opening AS (
    -- each person's status at the opening: the first point of a sitting with an agenda, else the sitting's row
    SELECT a.meeting_id, a.person_id, a.status, a.delegate_id
    FROM attendance AS a
    SEMI JOIN sittings AS s ON s.meeting_id = a.meeting_id
    ANTI JOIN agenda_items AS i ON i.meeting_id = a.meeting_id
    UNION ALL
    SELECT o.meeting_id, o.person_id, o.status, o.delegate_id
    FROM item_attendance AS o
    SEMI JOIN sittings AS s ON s.meeting_id = o.meeting_id
    WHERE o.position = 1
),
rows_ AS (
    -- opening rows of the members in office at each sitting, with whether the person was physically there
    SELECT a.meeting_id, a.person_id, a.status, a.delegate_id, s.format,
           there_for_quorum(a.status, s.format) AS there
    FROM opening AS a
    JOIN sittings AS s USING (meeting_id)
    SEMI JOIN terms AS t ON t.person_id = a.person_id AND s.meeting_date BETWEEN t.start_date AND t.end_date
),
seated AS (
    -- a titular substituted occupies the seat through the substitute, unless the substitute's own row at that
    -- sitting says they were not there (absent, excused, by video at an in-person sitting…), or they have rows at
    -- the sitting and none covers the opening
    SELECT r.meeting_id, r.person_id
    FROM rows_ AS r
    LEFT JOIN opening AS d ON d.meeting_id = r.meeting_id AND d.person_id = r.delegate_id
    LEFT JOIN attendance AS x ON x.meeting_id = r.meeting_id AND x.person_id = r.delegate_id
    WHERE r.status = 'substituted'
      AND ((d.status IS NULL AND x.person_id IS NULL) OR there_for_quorum(d.status, r.format))
),
present AS (
    -- each seat once: the members there in person (or by video at a teleconference) and the seats substitutes hold
    SELECT meeting_id, count(DISTINCT person_id) AS present
    FROM (SELECT meeting_id, person_id FROM rows_ WHERE there
          UNION ALL
          SELECT meeting_id, person_id FROM seated)
    GROUP BY meeting_id
),
tallied AS (
    SELECT s.meeting_id, s.body_code, s.meeting_date, s.meeting_type,
           coalesce(o.in_office, 0) AS in_office, coalesce(p.present, 0) AS present,
           coalesce(o.in_office, 0) // 2 + 1 AS required,  -- more than half
           row_number() OVER (ORDER BY s.meeting_date, s.meeting_id) AS n,
           s.meeting_date - lag(s.meeting_date) OVER (ORDER BY s.meeting_date, s.meeting_id) AS days_after
    FROM sittings AS s
    LEFT JOIN in_office AS o USING (meeting_id)
    LEFT JOIN present AS p USING (meeting_id)
),
candidates AS (
    -- a reconvened sitting may be exempt only if it comes at least 3 days after the previous held sitting and
    -- that sitting fell short of its quorum
    SELECT *,
           meeting_type = 'reconvened' AND coalesce(days_after >= 3, false)
               AND coalesce(lag(present < required) OVER (ORDER BY n), false) AS candidate
    FROM tallied
),
runs AS (
    -- runs of consecutive candidates, each led by the sitting before them (never a candidate, so never exempt)
    SELECT *, sum(CASE WHEN candidate THEN 0 ELSE 1 END) OVER (ORDER BY n ROWS UNBOUNDED PRECEDING) AS run
    FROM candidates
),
exemptions AS (
    -- the leader, not exempt and short, failed: the 1st candidate after it is exempt; an exempt sitting needs no
    -- quorum, so it did not fail, and the next candidate is not exempt; that one, short, failed: the 3rd is exempt…
    SELECT *, candidate AND row_number() OVER (PARTITION BY run ORDER BY n) % 2 = 0 AS exempt
    FROM runs
),
final AS (
    SELECT meeting_id, body_code, meeting_date, meeting_type,
           in_office::BIGINT AS in_office, present::BIGINT AS present, required::BIGINT AS required,
           present >= required AS reached,
           (present - required)::BIGINT AS margin,
           exempt
    FROM exemptions
    WHERE meeting_date >= $start
)
SELECT * FROM final
ORDER BY meeting_date, meeting_id
