-- Attendance rows at a meeting that was not held (cancelled or planned): the import and the form refuse them, and
-- the indicators never count them. One row per such meeting, with its number of rows; `total` is the number of
-- meetings, the rows being cut to $limit.
WITH wrong AS (
    SELECT m.meeting_id, m.body_code, m.meeting_date, m.status, count(*) AS rows
    FROM attendance AS a
    JOIN meetings AS m USING (meeting_id)
    WHERE m.status IS DISTINCT FROM 'held'
    GROUP BY ALL
),
final AS (
    SELECT *, count(*) OVER () AS total FROM wrong
)
SELECT * FROM final
ORDER BY meeting_date, body_code
LIMIT $limit
