-- Whether [$start, $end] holds held meetings outside the calendar months from $whole_from to $whole_to: those are
-- the meetings attendance_counts.sql counts convocation by convocation rather than from the monthly tallies.
WITH final AS (
    SELECT count(*) > 0 AS outside
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
      AND (meeting_date < $whole_from OR meeting_date > $whole_to)
)
SELECT outside FROM final
