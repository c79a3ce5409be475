-- Every membership of $person_id, whatever the dates: the person's card.
WITH mine AS (
    SELECT body_code, role, rank, start_date, end_date
    FROM memberships
    WHERE person_id = $person_id
),
final AS (
    SELECT mine.body_code, b.name AS body_name, b.sort_order, mine.role, mine.rank, mine.start_date, mine.end_date
    FROM mine
    JOIN bodies AS b ON b.code = mine.body_code
)
SELECT * FROM final
ORDER BY start_date DESC, sort_order;
