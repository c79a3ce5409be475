-- Per body, the first meeting planned on or after $as_of (NULL when none is planned).
WITH planned AS (
    SELECT body_code, min(meeting_date) AS next_planned, count(*) AS planned_count
    FROM meetings
    WHERE status = 'planned' AND meeting_date >= $as_of::DATE
    GROUP BY body_code
),
final AS (
    SELECT bodies.code AS body_code, planned.next_planned, coalesce(planned.planned_count, 0) AS planned_count
    FROM bodies
    LEFT JOIN planned ON planned.body_code = bodies.code
)
SELECT * FROM final;
