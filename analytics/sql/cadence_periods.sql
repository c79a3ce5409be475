-- Held meetings per cadence period, and the status of each period at $as_of (analytics/rules/cadence.py's docstring
-- has the rules). The grid of periods is computed in Python (calendar arithmetic) and bound as parallel lists; the
-- counting and judging happen here. Only held meetings count: cancelled ones did not take place and planned ones
-- have not yet.
WITH grid AS (
    SELECT unnest($body_codes::VARCHAR[]) AS body_code,
           unnest($rules::VARCHAR[]) AS rule,
           unnest($period_starts::DATE[]) AS period_start,
           unnest($period_ends::DATE[]) AS period_end,
           unnest($required::INTEGER[]) AS required,
           -- alternating bodies: the body whose months they must keep clear of, else NULL
           unnest($partners::VARCHAR[]) AS partner,
           -- the period is made only of months of the body's pause
           unnest($paused::BOOLEAN[]) AS paused
),
held AS (
    SELECT body_code, meeting_date, meeting_type, date_trunc('month', meeting_date)::DATE AS month
    FROM meetings
    WHERE status = 'held'
),
history AS (
    -- the recorded history begins with the month of the earliest held sitting, all bodies together
    SELECT date_trunc('month', min(meeting_date))::DATE AS history_start
    FROM held
),
partner_months AS (
    -- the months in which a body alternated with met in its own calendar: a conférence convened at the request of
    -- the mayors (CGCT L5211-11-3) is outside the alternation and makes no clash
    SELECT DISTINCT body_code, month
    FROM held
    SEMI JOIN (SELECT DISTINCT partner FROM grid WHERE partner IS NOT NULL) AS p ON p.partner = held.body_code
    WHERE meeting_type <> 'requested'
),
ends AS (
    SELECT DISTINCT period_end
    FROM grid
),
mandates AS (
    -- the start of the mandate in force on each period's last day (macro of migration 008)
    SELECT period_end, mandate_start_on(period_end, $mandate_body) AS mandate_start
    FROM ends
),
counted AS (
    SELECT grid.body_code, grid.rule, grid.period_start, grid.period_end, grid.required, grid.paused,
           count(held.meeting_date)::INTEGER AS held,
           -- sittings in a month where the body alternated with also met: they break the alternation
           count(held.meeting_date) FILTER (WHERE pm.month IS NOT NULL)::INTEGER AS clashes
    FROM grid
    LEFT JOIN held
           ON held.body_code = grid.body_code
          AND held.meeting_date BETWEEN grid.period_start AND grid.period_end
    LEFT JOIN partner_months AS pm
           ON pm.body_code = grid.partner AND pm.month = held.month
    GROUP BY grid.body_code, grid.rule, grid.period_start, grid.period_end, grid.required, grid.paused
),
judged AS (
    SELECT counted.*,
           CASE
               WHEN required IS NULL THEN 'no_rule'
               -- a period already met stays met even before it ends
               WHEN held - clashes >= required THEN 'met'
               -- nothing is known of what came before the history or the mandate, and a break is no failure
               WHEN paused
                    OR coalesce(period_start < history.history_start, false)
                    OR coalesce(period_start < mandates.mandate_start, false) THEN 'not_judged'
               WHEN period_end >= $as_of::DATE THEN 'in_progress'
               ELSE 'missed'
           END AS status
    FROM counted
    CROSS JOIN history
    LEFT JOIN mandates USING (period_end)
),
final AS (
    SELECT judged.body_code, bodies.name AS body_name, judged.rule, judged.period_start, judged.period_end,
           judged.held, judged.required, judged.status,
           CASE WHEN judged.status = 'in_progress' THEN (judged.period_end - $as_of::DATE)::INTEGER END AS days_left,
           judged.clashes, bodies.sort_order
    FROM judged
    JOIN bodies ON bodies.code = judged.body_code
)
SELECT * EXCLUDE (sort_order) FROM final
ORDER BY sort_order, body_code, period_end, period_start;
