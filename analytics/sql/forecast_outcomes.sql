-- What happened to each seat at each held sitting of the body $body up to $until: one row per sitting and member in
-- office, whether their status was recorded (not_recorded or no row: unknown) and whether their seat counted for
-- the quorum, by the rule of analytics/sql/quorum_quorum.sql (DESIGN.md §4, macro there_for_quorum of migration 008):
-- present; remote at a sitting by video or mixed; substituted, unless the substitute's own row says they were not
-- there. The forecast's history of each member and the backtest's outcomes are these rows.
WITH sittings AS (
    SELECT meeting_id, meeting_date, format
    FROM meetings
    WHERE body_code = $body AND status = 'held' AND meeting_date <= $until
),

in_office AS (
    -- the members proper in office at each sitting (macro office_terms of migration 008: one term a day at most)
    SELECT s.meeting_id, s.meeting_date, s.format, t.person_id
    FROM sittings AS s
    JOIN office_terms($body) AS t ON s.meeting_date BETWEEN t.start_date AND t.end_date
),

seats AS (
    SELECT i.meeting_id, i.meeting_date, i.format, i.person_id, a.status, a.delegate_id,
           there_for_quorum(a.status, i.format) AS there
    FROM in_office AS i
    LEFT JOIN attendance AS a ON a.meeting_id = i.meeting_id AND a.person_id = i.person_id
),

final AS (
    SELECT s.meeting_id, s.meeting_date, s.format, s.person_id,
           coalesce(s.status, 'not_recorded') <> 'not_recorded' AS recorded,
           coalesce(s.there, false)
               OR coalesce(s.status = 'substituted'
                           AND (d.status IS NULL OR there_for_quorum(d.status, s.format)), false) AS counted
    FROM seats AS s
    LEFT JOIN attendance AS d ON d.meeting_id = s.meeting_id AND d.person_id = s.delegate_id
)

SELECT * FROM final ORDER BY meeting_date, meeting_id, person_id;
