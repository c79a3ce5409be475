-- Refresh of the pre-aggregated tallies (migration 003): the fingerprint of the rows they were just counted from.
INSERT INTO attendance_tallies_state (attendance_rows, attendance_hash, meetings_rows, meetings_hash,
                                      memberships_rows, memberships_hash, persons_rows, persons_hash)
SELECT attendance_rows, attendance_hash, meetings_rows, meetings_hash, memberships_rows, memberships_hash,
       persons_rows, persons_hash
FROM attendance_fingerprint
