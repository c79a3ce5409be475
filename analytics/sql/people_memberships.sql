-- Memberships overlapping [$start, $end], with the body's name: the roles and bodies of the people listed.
WITH overlapping AS (
    SELECT person_id, body_code, role, rank, start_date, end_date
    FROM memberships
    WHERE start_date <= $end::DATE AND (end_date IS NULL OR end_date >= $start::DATE)
),
final AS (
    SELECT o.person_id, o.body_code, b.name AS body_name, b.sort_order, o.role, o.rank, o.start_date, o.end_date
    FROM overlapping AS o
    JOIN bodies AS b ON b.code = o.body_code
)
SELECT * FROM final
ORDER BY person_id, sort_order, start_date;
