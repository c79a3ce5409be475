-- One audit row per value an import changed.
INSERT INTO change_log (import_id, username, table_name, row_key, column_name, old_value, new_value)
SELECT $1, $2, table_name, row_key, column_name, old_value, new_value
FROM staged;
