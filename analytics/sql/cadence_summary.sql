-- Meetings of each body inside [start, end]: held, cancelled and planned counts, the last held meeting and the
-- longest gap between two consecutive held meetings. Every body of the catalogue appears, with zeros if idle.
WITH in_range AS (
    SELECT body_code, meeting_date, status
    FROM meetings
    WHERE meeting_date BETWEEN $start::DATE AND $end::DATE
),
held AS (
    SELECT body_code, meeting_date,
           meeting_date - lag(meeting_date) OVER (PARTITION BY body_code ORDER BY meeting_date) AS gap_days
    FROM in_range
    WHERE status = 'held'
),
gaps AS (
    SELECT body_code, max(gap_days)::INTEGER AS longest_gap_days, max(meeting_date) AS last_held
    FROM held
    GROUP BY body_code
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
