-- Record what the import changed.
UPDATE import_log
SET rows_added = $1, rows_updated = $2, rows_unchanged = $3
WHERE import_id = $4;
