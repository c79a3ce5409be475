-- The fingerprint the tallies were saved with (no row: never counted), its attendance and meetings parts, and
-- whether its memberships and persons parts are those of the rows stored now (cheap: small tables; DuckDB reads
-- only the parts of the view selected).
WITH final AS (
    SELECT s.attendance_rows, s.attendance_hash, s.meetings_rows, s.meetings_hash,
           s.memberships_rows = f.memberships_rows AND s.memberships_hash = f.memberships_hash
               AND s.persons_rows = f.persons_rows AND s.persons_hash = f.persons_hash AS people_unchanged
    FROM attendance_tallies_state AS s
    CROSS JOIN (SELECT memberships_rows, memberships_hash, persons_rows, persons_hash
                FROM attendance_fingerprint) AS f
)
SELECT * FROM final
