-- The sittings of the body $body with the status $status ('planned': to forecast; 'held': to replay in the backtest)
-- dated after $after and up to $until, with their format (a remote member counts only at a sitting by video or
-- mixed, DESIGN.md §4), type, convocation date and the body's legal delay of convocation (migration 007).
WITH sittings AS (
    SELECT m.meeting_id, m.body_code, b.name AS body_name, m.meeting_date, m.format, m.meeting_type,
           m.convocation_date, b.convocation_delay
    FROM meetings AS m
    JOIN bodies AS b ON b.code = m.body_code
    WHERE m.body_code = $body AND m.status = $status AND m.meeting_date > $after AND m.meeting_date <= $until
),

final AS (
    SELECT * FROM sittings
)

SELECT * FROM final ORDER BY meeting_date, meeting_id;
