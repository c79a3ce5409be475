-- Refresh of the pre-aggregated tallies (migration 003): forget the counts per meeting, of every meeting when $all,
-- else of the sittings written ($bodies[i] on $days[i]).
WITH touched AS (
    SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date
)
DELETE FROM attendance_meeting_tallies AS t
WHERE $all OR EXISTS (SELECT 1 FROM touched AS w WHERE w.body_code = t.body_code AND w.meeting_date = t.meeting_date)
