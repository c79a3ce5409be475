-- Start of the mandate in progress at $as_of: the day most of the Conseil's memberships then in force began
-- (the installation of the Conseil). A councillor replaced mid-mandate does not move it: the mode is robust.
WITH in_force AS (
    SELECT start_date
    FROM memberships
    WHERE body_code = 'conseil'
      AND start_date <= $as_of
      AND (end_date IS NULL OR end_date >= $as_of)
),
final AS (
    SELECT start_date, count(*) AS memberships
    FROM in_force
    GROUP BY start_date
)
SELECT start_date FROM final
ORDER BY memberships DESC, start_date DESC
LIMIT 1;
