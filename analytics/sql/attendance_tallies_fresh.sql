-- Whether the pre-aggregated tallies were computed from exactly the rows stored now (migration 003): the stored
-- fingerprint equals the current one. False when they were never computed or something changed since.
WITH final AS (
    SELECT coalesce(bool_and(s.attendance_rows = f.attendance_rows AND s.attendance_hash = f.attendance_hash
                             AND s.meetings_rows = f.meetings_rows AND s.meetings_hash = f.meetings_hash
                             AND s.memberships_rows = f.memberships_rows AND s.memberships_hash = f.memberships_hash
                             AND s.persons_rows = f.persons_rows AND s.persons_hash = f.persons_hash),
                    false) AS fresh
    FROM attendance_tallies_state AS s
    CROSS JOIN attendance_fingerprint AS f
)
SELECT fresh FROM final
