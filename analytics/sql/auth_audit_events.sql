-- The most recent audit events first; id breaks ties between events logged in the same microsecond.
WITH ordered AS (
    SELECT id, logged_at, username, event, detail
    FROM audit_events
    ORDER BY logged_at DESC, id DESC
    LIMIT $limit
),
final AS (
    SELECT * FROM ordered
)
SELECT * FROM final ORDER BY logged_at DESC, id DESC;
