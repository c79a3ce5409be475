-- First and last held meetings, and whether anything at all was recorded: the range of the period selector.
WITH held AS (
    SELECT meeting_date
    FROM meetings
    WHERE status = 'held'
),
final AS (
    SELECT min(meeting_date) AS first_held, max(meeting_date) AS last_held, count(*) AS meetings_held
    FROM held
)
SELECT first_held, last_held, meetings_held FROM final;
