-- Meetings of each body inside [start, end]: held, cancelled and planned counts, the last held meeting and the
-- longest gap between two consecutive held meetings. Every body of the catalogue appears, with zeros if idle.
-- The gap leaves out what cannot be judged (DESIGN.md §2): the days of the body's paused months (bodies.pause) and
-- the change of mandate (the first sitting of a mandate has no previous one: the mandate of a sitting starts on the
-- day most of the memberships of $mandate_body in force that day began, as in views_mandate_start.sql).
WITH in_range AS (
    SELECT body_code, meeting_date, status
    FROM meetings
    WHERE meeting_date BETWEEN $start::DATE AND $end::DATE
),
held AS (
    SELECT body_code, meeting_date
    FROM in_range
    WHERE status = 'held'
),
held_days AS (
    SELECT DISTINCT meeting_date
    FROM held
),
mandates AS (
    -- the start of the mandate in force on each day a meeting was held (macro of migration 008)
    SELECT meeting_date, mandate_start_on(meeting_date, $mandate_body) AS mandate_start
    FROM held_days
),
ordered AS (
    SELECT h.body_code, h.meeting_date,
           lag(h.meeting_date) OVER (PARTITION BY h.body_code, m.mandate_start ORDER BY h.meeting_date) AS previous
    FROM held AS h
    LEFT JOIN mandates AS m USING (meeting_date)
),
pauses AS (
    -- the paused months of each body as numbers ("7,8" → 7 and 8); cadence.pause_months rejects bad values
    SELECT code AS body_code, TRY_CAST(trim(unnest(string_split(pause, ','))) AS INTEGER) AS month_number
    FROM bodies
    WHERE trim(coalesce(pause, '')) <> ''
),
gap_months AS (
    -- every calendar month a gap of a body with a pause touches
    SELECT body_code, meeting_date, previous,
           unnest(generate_series(date_trunc('month', previous)::TIMESTAMP,
                                  date_trunc('month', meeting_date)::TIMESTAMP, INTERVAL 1 MONTH))::DATE AS month
    FROM ordered
    SEMI JOIN pauses USING (body_code)
    WHERE previous IS NOT NULL
),
paused_days AS (
    -- days of [previous, meeting_date) inside paused months
    SELECT g.body_code, g.meeting_date,
           sum(greatest(0, least(g.meeting_date, (g.month + INTERVAL 1 MONTH)::DATE) - greatest(g.previous, g.month)))
               AS days
    FROM gap_months AS g
    JOIN pauses AS p ON p.body_code = g.body_code AND p.month_number = month(g.month)
    GROUP BY g.body_code, g.meeting_date
),
gaps AS (
    SELECT o.body_code,
           max(o.meeting_date - o.previous - coalesce(d.days, 0))::INTEGER AS longest_gap_days,
           max(o.meeting_date) AS last_held
    FROM ordered AS o
    LEFT JOIN paused_days AS d USING (body_code, meeting_date)
    GROUP BY o.body_code
),
counts AS (
    SELECT body_code,
           count(*) FILTER (WHERE status = 'held')::INTEGER AS held,
           count(*) FILTER (WHERE status = 'cancelled')::INTEGER AS cancelled,
           count(*) FILTER (WHERE status = 'planned')::INTEGER AS planned
    FROM in_range
    GROUP BY body_code
),
final AS (
    SELECT bodies.code, bodies.name, bodies.family, bodies.cadence_rule AS rule, bodies.cadence_n,
           coalesce(counts.held, 0) AS held,
           coalesce(counts.cancelled, 0) AS cancelled,
           coalesce(counts.planned, 0) AS planned,
           gaps.longest_gap_days, gaps.last_held, bodies.sort_order
    FROM bodies
    LEFT JOIN counts ON counts.body_code = bodies.code
    LEFT JOIN gaps ON gaps.body_code = bodies.code
)
SELECT * FROM final
ORDER BY sort_order, code;
