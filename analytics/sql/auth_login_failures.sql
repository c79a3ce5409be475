-- Consecutive failed logins of one username within the last hour: failures logged after its last successful
-- login, and the time of the latest one. Events are ordered by id (the order they were written in), so a
-- success and a failure logged at the same instant still come in the right order.
WITH recent AS (
    SELECT id, logged_at, event
    FROM audit_events
    WHERE username = $username
      AND event IN ('login', 'login_failed')
      AND logged_at > $since
),
last_success AS (
    SELECT coalesce(max(id), -1) AS id FROM recent WHERE event = 'login'
),
failures AS (
    SELECT count(*) AS failures, max(r.logged_at) AS last_failure
    FROM recent AS r, last_success AS s
    WHERE r.event = 'login_failed' AND r.id > s.id
),
final AS (
    SELECT failures, last_failure FROM failures
)
SELECT * FROM final;
