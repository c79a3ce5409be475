-- The import history, most recent first.
WITH final AS (
    SELECT imported_at, username, source, file_names, rows_added, rows_updated, rows_unchanged
    FROM import_log
)

SELECT * FROM final ORDER BY imported_at DESC;
