-- Streaks of at least $run unexcused absences in a row per person and body, among the person's recorded
-- convocations of that body in [$start, $end] ordered by date. not_recorded convocations are left out of the
-- sequence (a missing sheet neither breaks nor extends a streak); any other recorded status breaks it.
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
recorded AS (
    -- rows of people not convened (no membership covering the date) are ignored, as in every indicator
    SELECT a.person_id, h.body_code, h.meeting_date, a.status = 'absent' AS is_absent
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    WHERE a.status <> 'not_recorded'
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
