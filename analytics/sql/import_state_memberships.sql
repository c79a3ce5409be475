-- Every stored membership, for checking who is in office at each sitting of the files.
WITH final AS (
    SELECT person_id, body_code, start_date, end_date, role
    FROM memberships
)

SELECT * FROM final;
