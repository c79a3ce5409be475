-- Benchmark data: memberships over a mandate of $days days from $day0. Body sizes follow the family (decision
-- bodies ~80 members, the information bodies ~200, the others 25 to 35); draws come from hash() so that the data
-- is the same on every run and every thread count. Some memberships start late, some end early, a few overlap.
INSERT INTO memberships (person_id, body_code, role, start_date, end_date)
WITH sized AS (
    SELECT code,
           CASE family WHEN 'decision' THEN 80 WHEN 'validation' THEN 35 WHEN 'co_construction' THEN 25
                       ELSE 200 END AS size
    FROM bodies
),
draws AS (
    SELECT p.person_id, s.code, s.size, (SELECT count(*) FROM persons) AS persons,
           hash(p.person_id, s.code, 'member') % 1000 AS u,
           hash(p.person_id, s.code, 'dates') % 1000 AS v
    FROM persons AS p
    CROSS JOIN sized AS s
),
chosen AS (
    SELECT * FROM draws WHERE u * persons < size * 1000
),
final AS (
    SELECT person_id, code AS body_code,
           CASE WHEN code = 'conseil' AND u % 8 = 0 THEN 'substitute' ELSE 'member' END AS role,
           $day0 + CAST(CASE WHEN v < 150 THEN v * $days // 300 ELSE 0 END AS INTEGER) AS start_date,
           CASE WHEN v >= 900 THEN $day0 + CAST((v - 400) * $days // 1000 AS INTEGER) END AS end_date
    FROM chosen
    UNION ALL
    -- a change of role half-way through, overlapping the first membership
    SELECT person_id, code, 'vice_president', $day0 + CAST($days // 2 AS INTEGER), NULL
    FROM chosen
    WHERE u % 40 = 1
)
SELECT * FROM final
