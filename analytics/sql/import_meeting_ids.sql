-- The ids of the sittings of an import (staged: body_code, meeting_date), once they are written.
WITH sittings AS (
    SELECT DISTINCT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM staged
),
final AS (
    SELECT m.body_code, m.meeting_date, m.meeting_id
    FROM meetings AS m
    JOIN sittings AS s USING (body_code, meeting_date)
)
SELECT * FROM final
