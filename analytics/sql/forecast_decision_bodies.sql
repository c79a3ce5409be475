-- The bodies that deliberate (family decision: the Conseil, the Bureau), in display order.
WITH final AS (
    SELECT code, sort_order
    FROM bodies
    WHERE family = 'decision'
)

SELECT code FROM final
ORDER BY sort_order, code;
