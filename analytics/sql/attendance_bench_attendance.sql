-- Benchmark data: a row for about 96 % of the convocations of held meetings, in meeting order as an import
-- would write them; statuses drawn with realistic weights, proxies and substitutes given to another person.
INSERT INTO attendance (meeting_id, person_id, status, delegate_id)
WITH convocations AS (
    SELECT DISTINCT g.meeting_id, m.person_id
    FROM meetings AS g
    JOIN memberships AS m
        ON m.body_code = g.body_code AND g.meeting_date >= m.start_date
       AND (m.end_date IS NULL OR g.meeting_date <= m.end_date)
    WHERE g.status = 'held'
),
drawn AS (
    SELECT meeting_id, person_id, hash(meeting_id, person_id, 'status') % 1000 AS u,
           (SELECT count(*) FROM persons) AS persons
    FROM convocations
),
final AS (
    SELECT meeting_id, person_id,
           CASE WHEN u < 600 THEN 'present' WHEN u < 680 THEN 'remote' WHEN u < 800 THEN 'excused'
                WHEN u < 880 THEN 'absent' WHEN u < 940 THEN 'proxy' WHEN u < 960 THEN 'substituted'
                ELSE 'not_recorded' END AS status,
           CASE WHEN u >= 880 AND u < 960
                THEN (person_id + hash(meeting_id, person_id, 'delegate') % (persons - 1)) % persons + 1 END
               AS delegate_id
    FROM drawn
    WHERE u < 970 OR u >= 990  -- about 2 % of convocations have no row at all: not_recorded
)
SELECT * FROM final
ORDER BY meeting_id, person_id
