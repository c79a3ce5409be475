-- Refresh of the pre-aggregated tallies (migration 003): forget the counts per meeting.
DELETE FROM attendance_meeting_tallies
