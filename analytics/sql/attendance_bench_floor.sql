-- The floor of any attendance indicator: one aggregation pass over the attendance table and nothing else.
WITH final AS (
    SELECT status, count(*) AS n FROM attendance GROUP BY status
)
SELECT * FROM final
