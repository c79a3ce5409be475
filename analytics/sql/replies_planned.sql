-- The planned sittings from $since on (of the body $body, or of every body when it is NULL), for the replies form of
-- the Saisie page: date, format, the day the convocation was sent, and how many members replied (migration 007).
WITH planned AS (
    SELECT m.meeting_id, m.body_code, b.name AS body_name, b.sort_order, m.meeting_date, m.format,
           m.convocation_date
    FROM meetings AS m
    JOIN bodies AS b ON b.code = m.body_code
    WHERE m.status = 'planned' AND m.meeting_date >= $since AND ($body IS NULL OR m.body_code = $body)
),

answered AS (
    SELECT meeting_id, count(*) AS replies
    FROM replies
    GROUP BY meeting_id
),

final AS (
    SELECT p.meeting_id, p.body_code, p.body_name, p.meeting_date, p.format, p.convocation_date,
           coalesce(a.replies, 0) AS replies
    FROM planned AS p
    LEFT JOIN answered AS a USING (meeting_id)
)

SELECT * FROM final ORDER BY meeting_date, body_code;
