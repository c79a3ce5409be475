-- The schema of the database checked (store/check.py), one row per object: table, column, constraint, view, macro,
-- sequence. The check compares these rows with those of a database the migrations build from nothing: an object
-- missing here was lost (a table dropped and recreated by hand, without its constraints…), one in excess was added
-- by hand. Temporary objects and DuckDB's own are left out.
WITH tables AS (
    SELECT 'table' AS kind, table_name AS relation, '' AS detail
    FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
),
columns AS (
    SELECT 'column' AS kind, table_name AS relation,
           column_name || ' ' || data_type || CASE WHEN is_nullable THEN '' ELSE ' NOT NULL' END
               || coalesce(' DEFAULT ' || column_default, '') AS detail
    FROM duckdb_columns()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
),
constraints AS (
    -- the text of a NOT NULL constraint does not name its column: the column list does
    SELECT 'constraint' AS kind, table_name AS relation,
           constraint_type || ' (' || array_to_string(constraint_column_names, ', ') || ') ' || constraint_text
               AS detail
    FROM duckdb_constraints()
    WHERE database_name = current_database() AND schema_name = 'main'
),
views AS (
    SELECT 'view' AS kind, view_name AS relation, sql AS detail
    FROM duckdb_views()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
),
macros AS (
    SELECT DISTINCT 'macro' AS kind, function_name AS relation, coalesce(macro_definition, '') AS detail
    FROM duckdb_functions()
    WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
),
sequences AS (
    SELECT 'sequence' AS kind, sequence_name AS relation, '' AS detail
    FROM duckdb_sequences()
    WHERE database_name = current_database() AND schema_name = 'main'
),
final AS (
    SELECT * FROM tables
    UNION ALL SELECT * FROM columns
    UNION ALL SELECT * FROM constraints
    UNION ALL SELECT * FROM views
    UNION ALL SELECT * FROM macros
    UNION ALL SELECT * FROM sequences
)
SELECT kind, relation, detail FROM final
ORDER BY kind, relation, detail
