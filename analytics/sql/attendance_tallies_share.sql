-- The share of the sittings written ($bodies[i] on $days[i]) in attendance_fingerprint (migration 005): the rows of
-- their meetings and the attendance rows of those meetings, counted and hashed as the view does. A write that
-- changes only these rows turns the fingerprint F into F XOR share before XOR share after (rows unique: none
-- cancels another), which store.tallies applies to the saved fingerprint without reading every attendance row.
WITH touched AS (
    SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date
),
touched_meetings AS (
    SELECT m.meeting_id, m.body_code, m.meeting_date, m.status
    FROM meetings AS m
    SEMI JOIN touched AS w USING (body_code, meeting_date)
),
attendance_share AS (
    SELECT count(*) AS attendance_rows,
           coalesce(bit_xor(hash(meeting_id, person_id, status, delegate_id)), 0::UBIGINT) AS attendance_hash
    FROM attendance
    WHERE meeting_id IN (SELECT meeting_id FROM touched_meetings)
),
meetings_share AS (
    SELECT count(*) AS meetings_rows,
           coalesce(bit_xor(hash(meeting_id, body_code, meeting_date, status)), 0::UBIGINT) AS meetings_hash
    FROM touched_meetings
)
SELECT a.attendance_rows, a.attendance_hash, m.meetings_rows, m.meetings_hash
FROM attendance_share AS a
CROSS JOIN meetings_share AS m
