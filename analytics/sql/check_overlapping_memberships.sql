-- Two memberships of one person in one body whose periods overlap: the import refuses them (one person, one body,
-- one period at a time; a change of role ends a membership and starts another). One row per pair; `total` is the
-- number of pairs, the rows being cut to $limit.
WITH spans AS (
    SELECT membership_id, person_id, body_code, start_date, coalesce(end_date, DATE '9999-12-31') AS last_day
    FROM memberships
),
pairs AS (
    SELECT a.person_id, a.body_code, a.start_date AS first_start, b.start_date AS second_start
    FROM spans AS a
    JOIN spans AS b
      ON b.person_id = a.person_id AND b.body_code = a.body_code AND b.membership_id <> a.membership_id
     AND (b.start_date, b.membership_id) > (a.start_date, a.membership_id)
     AND b.start_date <= a.last_day AND a.start_date <= b.last_day
),
final AS (
    SELECT *, count(*) OVER () AS total FROM pairs
)
SELECT * FROM final
ORDER BY person_id, body_code, first_start
LIMIT $limit
