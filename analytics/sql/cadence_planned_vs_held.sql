-- The calendar fixed in advance against what happened, per calendar year overlapping [start, end]. Whole years
-- are counted because the yearly minimum is judged on the calendar year.
WITH years AS (
    SELECT unnest(range(year($start::DATE), year($end::DATE) + 1))::INTEGER AS year
),
body AS (
    SELECT code, name,
           -- cadence_n is a yearly count only under min_per_year
           CASE WHEN cadence_rule = 'min_per_year' THEN cadence_n END AS required
    FROM bodies
    WHERE code = $body_code
),
scheduled AS (
    SELECT year(meeting_date)::INTEGER AS year, meeting_date, status
    FROM meetings
    WHERE body_code = $body_code
),
counted AS (
    SELECT years.year,
           count(scheduled.status)::INTEGER AS planned,
           count(*) FILTER (WHERE scheduled.status = 'held')::INTEGER AS held,
           count(*) FILTER (WHERE scheduled.status = 'cancelled')::INTEGER AS cancelled,
           count(*) FILTER (WHERE scheduled.status = 'planned')::INTEGER AS still_planned,
           -- dates passed but never marked held or cancelled: the calendar needs updating
           count(*) FILTER (WHERE scheduled.status = 'planned' AND scheduled.meeting_date < $as_of::DATE)::INTEGER
               AS overdue
    FROM years
    LEFT JOIN scheduled ON scheduled.year = years.year
    GROUP BY years.year
),
final AS (
    SELECT body.code AS body_code, body.name AS body_name, counted.year,
           make_date(counted.year, 1, 1) AS year_start, make_date(counted.year, 12, 31) AS year_end,
           counted.planned, counted.held, counted.cancelled, counted.still_planned, counted.overdue,
           body.required,
           CASE
               WHEN body.required IS NULL THEN 'no_rule'
               WHEN counted.held >= body.required THEN 'met'
               WHEN make_date(counted.year, 12, 31) >= $as_of::DATE THEN 'in_progress'
               ELSE 'missed'
           END AS status
    FROM counted
    CROSS JOIN body
)
SELECT * FROM final
ORDER BY year;
