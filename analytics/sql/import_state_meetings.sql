-- Every stored sitting with its status, for matching the sittings the files name.
WITH final AS (
    SELECT meeting_id, body_code, meeting_date, status
    FROM meetings
)

SELECT * FROM final;
