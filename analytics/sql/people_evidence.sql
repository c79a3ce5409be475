-- The evidence behind each status of $person_id in [$start, $end]: the meeting (format, type), how complete its
-- sign-in sheet is (rows entered against people convened).
WITH held AS (
    SELECT meeting_id, body_code, meeting_date, format, meeting_type
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start::DATE AND $end::DATE
),
mine AS (
    -- the held meetings where the person is convened: as a member, or as a substitute where they sit
    SELECT DISTINCT h.meeting_id, h.body_code, h.meeting_date, h.format, h.meeting_type
    FROM held AS h
    JOIN memberships AS m
        ON m.body_code = h.body_code AND m.person_id = $person_id AND m.role <> 'substitute'
       AND h.meeting_date >= m.start_date AND (m.end_date IS NULL OR h.meeting_date <= m.end_date)
    UNION
    SELECT h.meeting_id, h.body_code, h.meeting_date, h.format, h.meeting_type
    FROM held AS h
    SEMI JOIN substitute_convocations($start::DATE, $end::DATE) AS s
        ON s.meeting_id = h.meeting_id AND s.person_id = $person_id
),
convened AS (
    SELECT c.meeting_id, c.convened
    FROM convened_meetings($start::DATE, $end::DATE) AS c
    SEMI JOIN mine USING (meeting_id)
),
sheet AS (
    SELECT a.meeting_id, count(*) FILTER (WHERE a.status <> 'not_recorded') AS sheet_rows
    FROM attendance AS a
    JOIN mine USING (meeting_id)
    GROUP BY a.meeting_id
),
final AS (
    SELECT mine.meeting_id, mine.format, mine.meeting_type,
           convened.convened, coalesce(sheet.sheet_rows, 0) AS sheet_rows
    FROM mine
    JOIN convened USING (meeting_id)
    LEFT JOIN sheet USING (meeting_id)
)
SELECT * FROM final;
