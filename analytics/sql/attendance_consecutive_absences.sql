-- Streaks of at least $run unexcused absences in a row per person and body, among the person's recorded
-- convocations of that body in [$start, $end] ordered by date. not_recorded convocations are left out of the
-- sequence (a missing sheet neither breaks nor extends a streak); any other recorded status breaks it.
WITH recorded AS (
    -- the recorded statuses of convened people (macro recorded_convocations, migrations 003 and 005): rows of people
    -- not convened (no membership covering the date, a substitute not sitting) are ignored, as in every indicator
    SELECT person_id, body_code, meeting_date, status = 'absent' AS is_absent
    FROM recorded_convocations($start, $end)
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY person_id, body_code ORDER BY meeting_date) AS recorded_rank
    FROM recorded
),
numbered AS (
    -- gaps and islands: along a streak of absences the rank among recorded convocations and the rank among
    -- absences grow together, so their difference names the streak (the second window runs on absences only)
    SELECT *,
           recorded_rank - row_number() OVER (PARTITION BY person_id, body_code ORDER BY meeting_date) AS streak_id
    FROM ranked
    WHERE is_absent
),
streaks AS (
    SELECT person_id, body_code,
           min(meeting_date) AS first_date,
           -- the absence that completes the run: the date the alert is due
           list(meeting_date ORDER BY meeting_date)[$run] AS last_date,
           count(*) AS streak
    FROM numbered
    GROUP BY person_id, body_code, streak_id
    HAVING count(*) >= $run
),
final AS (
    SELECT s.person_id, p.last_name, p.first_name, s.body_code, b.name AS body_name,
           s.first_date, s.last_date, s.streak, b.sort_order
    FROM streaks AS s
    JOIN persons AS p USING (person_id)
    JOIN bodies AS b ON b.code = s.body_code
)
SELECT person_id, last_name, first_name, body_code, body_name, first_date, last_date, streak
FROM final
ORDER BY last_date, sort_order, lower(strip_accents(last_name)), lower(strip_accents(first_name)), person_id
