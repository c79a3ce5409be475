-- The stored sitting of $body on $on, if any, for writing its minutes: its status and how many agenda points it has.
WITH points AS (
    SELECT meeting_id, count(*) AS points
    FROM agenda_items
    GROUP BY meeting_id
),

final AS (
    SELECT m.meeting_id, m.status, coalesce(p.points, 0)::INTEGER AS points
    FROM meetings AS m
    LEFT JOIN points AS p ON p.meeting_id = m.meeting_id
    WHERE m.body_code = $body AND m.meeting_date = $on::DATE
)

SELECT * FROM final;
