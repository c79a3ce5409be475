-- Refresh of the pre-aggregated tallies (migration 003): forget the counts per person, body and month.
DELETE FROM attendance_month_tallies
