-- One audit event. The time comes from Python so that every event, and the login delay computed from them,
-- uses the same clock.
INSERT INTO audit_events (logged_at, username, event, detail)
VALUES ($logged_at, $username, $event, $detail);
