-- The floor of the import benchmark (issue 15): DuckDB's own read_csv of the sign-in file into a new table,
-- with the options the importer's files need (separator ";", a header, every column a text: "03/01/2000" stays a
-- text until the importer reads it as a date). $1: the file's path.
CREATE OR REPLACE TABLE bench_floor AS
SELECT * FROM read_csv($1, delim = ';', header = true, all_varchar = true)
