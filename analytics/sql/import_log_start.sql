-- Open the import log entry; the counts are filled in when the import is written.
INSERT INTO import_log (username, source, file_names, rows_added, rows_updated, rows_unchanged)
VALUES ($1, $2, $3, 0, 0, 0)
RETURNING import_id;
