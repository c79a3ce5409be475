-- The bodies, for resolving an « instance » cell by its code or its name.
WITH final AS (
    SELECT code, name
    FROM bodies
)

SELECT * FROM final;
