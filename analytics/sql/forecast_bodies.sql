-- The bodies in display order, for finding one given by its code or its name.
WITH final AS (
    SELECT code, name, sort_order
    FROM bodies
)

SELECT code, name FROM final
ORDER BY sort_order, code;
