-- Attendance counts per person and body over [$start, $end], rolled up to the levels body, person, commune,
-- sector and person_body (column `level`), and per body and month (body_month) and sector and month
-- (sector_month).
--
-- When $fresh (the pre-aggregated tallies were counted from the rows stored now), the calendar months from
-- $whole_from to $whole_to (those inside the range) come from attendance_month_tallies; the held meetings of the
-- range outside them, if $counted says there are any, are counted here: convened people from the macros
-- membership_segments and convened_meetings (members proper) and substitute_convocations (the substitutes who sit),
-- recorded statuses from recorded_convocations (migrations 003 and 005). When not $fresh, there are no whole
-- months and every meeting of the range is counted here.
WITH meetings_here AS (
    -- the held meetings the tallies cannot answer for
    SELECT body_code, first_day, date_trunc('month', meeting_date)::DATE AS month
    FROM convened_meetings($start, $end)
    WHERE $counted AND (meeting_date < $whole_from OR meeting_date > $whole_to)
),
recorded_here AS (
    -- their recorded statuses; not_recorded is derived as convened - recorded, so that a missing row and an
    -- explicit not_recorded row count alike
    SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE AS month, status
    FROM recorded_convocations($start, $end)
    WHERE $counted AND (meeting_date < $whole_from OR meeting_date > $whole_to)
),
segment_months AS (
    SELECT body_code, first_day, month, count(*) AS meetings
    FROM meetings_here
    GROUP BY ALL
),
month_convocations AS (
    -- a member proper is convened to every held meeting of the segments they sit in
    SELECT s.person_id, s.body_code, g.month, g.meetings AS convened
    FROM membership_segments() AS s
    JOIN segment_months AS g USING (body_code, first_day)
    WHERE $counted  -- DuckDB plans with the value: when false, the macro is not even run
    UNION ALL
    -- a substitute, to the meetings where they sit
    SELECT person_id, body_code, date_trunc('month', meeting_date)::DATE, 1
    FROM substitute_convocations($start, $end)
    WHERE $counted AND (meeting_date < $whole_from OR meeting_date > $whole_to)
),
month_convened AS (
    SELECT person_id, body_code, month, sum(convened) AS convened
    FROM month_convocations
    GROUP BY ALL
),
month_recorded AS (
    SELECT person_id, body_code, month,
           count(*) FILTER (WHERE status = 'present') AS present,
           count(*) FILTER (WHERE status = 'remote') AS remote,
           count(*) FILTER (WHERE status = 'excused') AS excused,
           count(*) FILTER (WHERE status = 'absent') AS absent,
           count(*) FILTER (WHERE status = 'proxy') AS proxy,
           count(*) FILTER (WHERE status = 'substituted') AS substituted
    FROM recorded_here
    GROUP BY ALL
),
month_rows AS NOT MATERIALIZED (
    -- read three times below: scanning the tallies again costs less than keeping their rows aside
    SELECT person_id, body_code, month, convened, present, remote, excused, absent, proxy, substituted
    FROM attendance_month_tallies
    WHERE month BETWEEN $whole_from AND $whole_to
    UNION ALL
    SELECT c.person_id, c.body_code, c.month, c.convened,
           coalesce(r.present, 0), coalesce(r.remote, 0), coalesce(r.excused, 0), coalesce(r.absent, 0),
           coalesce(r.proxy, 0), coalesce(r.substituted, 0)
    FROM month_convened AS c
    LEFT JOIN month_recorded AS r USING (person_id, body_code, month)
),
-- Each level sums the seven counts of its rows (COLUMNS(…) below names them; HUGEINT sums, made BIGINT at the end
-- by attendance_figures).
pairs AS (
    SELECT person_id, body_code,
           sum(COLUMNS('^(convened|present|remote|excused|absent|proxy|substituted)$'))
    FROM month_rows
    GROUP BY ALL
),
placed AS (
    SELECT pr.*, p.commune_insee, co.sector
    FROM pairs AS pr
    JOIN persons AS p USING (person_id)
    LEFT JOIN communes AS co ON co.insee = p.commune_insee
),
people_rolled AS (
    -- weighted by convocations: counts are summed, the rates are divided afterwards
    SELECT CASE grouping(body_code, person_id, commune_insee, sector)
               WHEN 0 THEN 'person_body'  -- 0b0000: every key kept
               WHEN 7 THEN 'body'         -- 0b0111: body_code kept
               WHEN 8 THEN 'person'       -- 0b1000: person_id (with its commune and sector) kept
               WHEN 12 THEN 'commune'     -- 0b1100: commune_insee (with its sector) kept
               WHEN 14 THEN 'sector'      -- 0b1110: sector kept
           END AS level,
           body_code, person_id, commune_insee, sector,
           sum(COLUMNS('^(convened|present|remote|excused|absent|proxy|substituted)$'))
    FROM placed
    GROUP BY GROUPING SETS ((body_code, person_id, commune_insee, sector), (body_code),
                            (person_id, commune_insee, sector), (commune_insee, sector), (sector))
),
people_levels AS (
    SELECT k.*, p.last_name, p.first_name, co.name AS commune_name
    FROM people_rolled AS k
    LEFT JOIN persons AS p ON p.person_id = k.person_id
    LEFT JOIN communes AS co ON co.insee = k.commune_insee
    -- people with no commune belong to no commune or sector row
    WHERE NOT (k.level IN ('commune', 'sector') AND k.sector IS NULL)
),
sector_months AS (
    -- people with no commune belong to no sector row
    SELECT sector, month, sum(COLUMNS('^(convened|present|remote|excused|absent|proxy|substituted)$'))
    FROM (SELECT m.*, co.sector
          FROM month_rows AS m
          JOIN persons AS p USING (person_id)
          JOIN communes AS co ON co.insee = p.commune_insee)
    GROUP BY ALL
),
body_months AS (
    SELECT body_code, month, sum(COLUMNS('^(convened|present|remote|excused|absent|proxy|substituted)$'))
    FROM month_rows
    GROUP BY ALL
),
levels AS (
    SELECT * FROM people_levels
    UNION ALL BY NAME
    SELECT 'body_month' AS level, * FROM body_months
    UNION ALL BY NAME
    SELECT 'sector_month' AS level, * FROM sector_months
),
counted AS (
    SELECT *, present + remote + excused + absent + proxy + substituted AS recorded
    FROM levels
),
final AS (
    SELECT k.level,
           k.body_code, b.name AS body_name, b.sort_order, b.required_rate,
           k.person_id, k.last_name, k.first_name,
           k.commune_insee, k.commune_name, k.sector, k.month,
           -- the counts and rates of the macro attendance_figures (migration 008), as those of the meetings
           unnest(attendance_figures(k.convened, k.recorded, k.present, k.remote, k.excused, k.absent, k.proxy,
                                     k.substituted))
    FROM counted AS k
    LEFT JOIN bodies AS b ON b.code = k.body_code
)
SELECT * FROM final
