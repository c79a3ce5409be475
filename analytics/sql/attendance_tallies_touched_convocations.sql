-- Refresh of the pre-aggregated tallies after a write of a few sittings ($bodies[i] on $days[i]), first step: who
-- is convened to the held meetings of their months in their bodies, kept aside for the two counts that follow
-- (attendance_tallies_touched_meetings and _months) and dropped after them (attendance_tallies_touched_forget).
--
-- The same convocations as the fill queries count (macros of migrations 003 and 005), read straight from the rows
-- of those months: the macros cut the time of every body into membership segments before one meeting can be
-- placed, about 30 ms a query on a 10 M-row base. A member proper is convened to a held meeting when a membership of
-- its body other than substitute covers its date (then they are a member of the segment holding that date), once
-- whatever their overlapping memberships; a substitute when named on the 'substituted' row of a titular convened
-- there, holding a substitute membership of the body that day and not a member proper that day (then convened as
-- such already), once if two titulars named them. tests/test_tallies.py proves both count the same rows.
--
-- One row per meeting and person convened, with the meeting's month (its first day), whether the write named the
-- meeting itself, the person's commune and stored status (NULL: no row; not_recorded rows kept as stored). A
-- temporary table is the connection's own and goes with the transaction if it is rolled back.
CREATE OR REPLACE TEMP TABLE touched_convocations AS
WITH written AS (
    SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date
),
touched AS (
    SELECT DISTINCT body_code, date_trunc('month', meeting_date)::DATE AS month
    FROM written
),
held AS (
    SELECT m.meeting_id, m.body_code, m.meeting_date, w.month,
           (m.body_code, m.meeting_date) IN (SELECT (body_code, meeting_date) FROM written) AS named
    FROM meetings AS m
    JOIN touched AS w ON w.body_code = m.body_code AND date_trunc('month', m.meeting_date)::DATE = w.month
    -- the months as one range besides: DuckDB checks a range against the zonemaps of the meetings
    WHERE m.status = 'held' AND m.meeting_date >= date_trunc('month', list_min($days::DATE[]))::DATE
      AND m.meeting_date < date_trunc('month', list_max($days::DATE[])) + INTERVAL 1 MONTH
),
sheets AS (
    SELECT a.meeting_id, a.person_id, a.status, a.delegate_id
    FROM attendance AS a
    -- the range first: DuckDB skips the row groups outside it by their zonemaps, and checks the list of meetings
    -- only inside (a month of 30 sittings: 13 ms instead of 35 on the 10 M-row bench base)
    WHERE a.meeting_id BETWEEN (SELECT min(meeting_id) FROM held) AND (SELECT max(meeting_id) FROM held)
      AND a.meeting_id IN (SELECT meeting_id FROM held)
),
proper AS (
    SELECT DISTINCT h.meeting_id, s.person_id
    FROM held AS h
    JOIN memberships AS s
        ON s.body_code = h.body_code AND s.role <> 'substitute'
       AND h.meeting_date >= s.start_date AND (s.end_date IS NULL OR h.meeting_date <= s.end_date)
),
substitutes AS (
    SELECT DISTINCT r.meeting_id, r.delegate_id AS person_id
    FROM sheets AS r
    JOIN held AS h USING (meeting_id)
    SEMI JOIN proper AS t ON t.meeting_id = r.meeting_id AND t.person_id = r.person_id
    SEMI JOIN memberships AS d
        ON d.person_id = r.delegate_id AND d.body_code = h.body_code AND d.role = 'substitute'
       AND h.meeting_date >= d.start_date AND (d.end_date IS NULL OR h.meeting_date <= d.end_date)
    ANTI JOIN proper AS p ON p.meeting_id = r.meeting_id AND p.person_id = r.delegate_id
    WHERE r.status = 'substituted'
),
convened AS (
    SELECT meeting_id, person_id FROM proper
    UNION ALL
    SELECT meeting_id, person_id FROM substitutes
),
final AS (
    SELECT c.meeting_id, h.body_code, h.meeting_date, h.month, h.named, c.person_id, p.commune_insee, r.status
    FROM convened AS c
    JOIN held AS h USING (meeting_id)
    JOIN persons AS p USING (person_id)
    LEFT JOIN sheets AS r USING (meeting_id, person_id)
)
SELECT * FROM final
