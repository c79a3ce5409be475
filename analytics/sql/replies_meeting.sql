-- The sitting $meeting_id whose replies to the convocation are entered: its body, date, status, format, convocation.
WITH final AS (
    SELECT body_code, meeting_date, status, format, convocation_date
    FROM meetings
    WHERE meeting_id = $meeting_id
)

SELECT * FROM final;
