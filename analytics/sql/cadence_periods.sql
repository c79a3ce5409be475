-- Held meetings per cadence period. The grid of periods is computed in Python (calendar arithmetic) and bound as
-- parallel lists; the counting happens here. Only held meetings count: cancelled ones did not take place and
-- planned ones have not yet.
WITH grid AS (
    SELECT unnest($body_codes::VARCHAR[]) AS body_code,
           unnest($rules::VARCHAR[]) AS rule,
           unnest($period_starts::DATE[]) AS period_start,
           unnest($period_ends::DATE[]) AS period_end,
           unnest($required::INTEGER[]) AS required
),
held AS (
    SELECT body_code, meeting_date
    FROM meetings
    WHERE status = 'held'
),
counted AS (
    SELECT grid.body_code, grid.rule, grid.period_start, grid.period_end, grid.required,
           count(held.meeting_date)::INTEGER AS held
    FROM grid
    LEFT JOIN held
           ON held.body_code = grid.body_code
          AND held.meeting_date BETWEEN grid.period_start AND grid.period_end
    GROUP BY grid.body_code, grid.rule, grid.period_start, grid.period_end, grid.required
),
judged AS (
    SELECT *,
           CASE
               WHEN required IS NULL THEN 'no_rule'
               -- a period already met stays met even before it ends
               WHEN held >= required THEN 'met'
               WHEN period_end >= $as_of::DATE THEN 'in_progress'
               ELSE 'missed'
           END AS status
    FROM counted
),
final AS (
    SELECT judged.body_code, bodies.name AS body_name, judged.rule, judged.period_start, judged.period_end,
           judged.held, judged.required, judged.status,
           CASE WHEN judged.status = 'in_progress' THEN (judged.period_end - $as_of::DATE)::INTEGER END AS days_left,
           bodies.sort_order
    FROM judged
    JOIN bodies ON bodies.code = judged.body_code
)
SELECT * EXCLUDE (sort_order) FROM final
ORDER BY sort_order, body_code, period_end, period_start;
