-- First and last meeting dates of the database, whatever their status: the "whole mandate" view.
WITH final AS (
    SELECT min(meeting_date) AS first_date, max(meeting_date) AS last_date
    FROM meetings
)
SELECT first_date, last_date FROM final
