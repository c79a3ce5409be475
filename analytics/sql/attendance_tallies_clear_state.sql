-- Refresh of the pre-aggregated tallies (migration 003): forget the fingerprint they were counted from.
DELETE FROM attendance_tallies_state
