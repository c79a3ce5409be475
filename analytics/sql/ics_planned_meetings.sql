-- Planned meetings from a date on, of one body or of all ($body NULL), for the ICS calendar.
WITH planned AS (
    SELECT m.body_code, b.name AS body_name, m.meeting_date, m.format, m.meeting_type, b.sort_order
    FROM meetings AS m
    JOIN bodies AS b ON b.code = m.body_code
    WHERE m.status = 'planned'
      AND m.meeting_date >= $since
      AND ($body IS NULL OR m.body_code = $body)
),

final AS (
    SELECT body_code, body_name, meeting_date, format, meeting_type FROM planned
)

SELECT * FROM final ORDER BY meeting_date, body_code;
