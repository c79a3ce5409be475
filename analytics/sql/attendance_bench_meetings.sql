-- Benchmark data: every body meets on each of $days consecutive days from $day0 (a body meets at most once a
-- day); 2 % are cancelled, the last 1 % planned, one conseil sitting in 50 is reconvened.
INSERT INTO meetings (meeting_id, body_code, meeting_date, status, meeting_type)
WITH final AS (
    SELECT row_number() OVER (ORDER BY k, b.code) AS meeting_id, b.code AS body_code,
           $day0 + CAST(k AS INTEGER) AS meeting_date,
           CASE WHEN k >= $days - $days // 100 THEN 'planned'
                WHEN hash(b.code, k, 'status') % 100 < 2 THEN 'cancelled'
                ELSE 'held' END AS status,
           CASE WHEN b.code = 'conseil' AND hash(k, 'type') % 50 = 0 THEN 'reconvened' ELSE 'ordinary' END
               AS meeting_type
    FROM bodies AS b
    CROSS JOIN range($days) AS t(k)
)
SELECT * FROM final
