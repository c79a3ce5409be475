-- The 39 communes, for resolving a « commune » cell by its INSEE code or its name.
WITH final AS (
    SELECT insee, name
    FROM communes
)

SELECT * FROM final;
