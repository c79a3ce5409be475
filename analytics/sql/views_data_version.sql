-- What changes whenever the data changes: the last import, the number of logged changes, and the row counts that
-- a sheet recorded in the app (no import, nothing updated) also moves. The pages' caches are keyed by it, so that
-- figures refresh after an import or a recording without a restart.
WITH final AS (
    SELECT (SELECT coalesce(max(import_id), 0) FROM import_log) AS last_import,
           (SELECT count(*) FROM change_log) AS changes,
           (SELECT count(*) FROM meetings) AS meetings,
           (SELECT count(*) FROM attendance) AS attendance,
           (SELECT count(*) FROM memberships) AS memberships,
           -- replies to convocations (migration 007): a reply given or withdrawn in the form moves no other count
           (SELECT count(*) FROM replies) AS replies
)
SELECT last_import, changes, meetings, attendance, memberships, replies FROM final;
