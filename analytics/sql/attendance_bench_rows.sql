-- Benchmark data: how many attendance rows were generated.
WITH final AS (
    SELECT count(*) AS attendance_rows FROM attendance
)
SELECT attendance_rows FROM final
