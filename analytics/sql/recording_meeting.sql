-- The meeting of a body on a date, if recorded, with a fingerprint of its sign-ins for conflict detection.
WITH meeting AS (
    SELECT * FROM meetings WHERE body_code = $body AND meeting_date = $day
),

sheet AS (
    SELECT string_agg(a.person_id::VARCHAR || ':' || a.status || ':' || coalesce(a.delegate_id::VARCHAR, ''), ','
                      ORDER BY a.person_id) AS rows
    FROM attendance AS a
    WHERE a.meeting_id = (SELECT meeting_id FROM meeting)
),

spans AS (
    -- the rows bounded to points (migration 006): a change of an arrival or a departure is a change too
    SELECT string_agg(s.person_id::VARCHAR || ':' || s.span::VARCHAR || ':' || coalesce(s.from_item, '') || ':'
                      || coalesce(s.to_item, '') || ':' || s.status || ':' || coalesce(s.delegate_id::VARCHAR, ''),
                      ',' ORDER BY s.person_id, s.span) AS rows
    FROM attendance_spans AS s
    WHERE s.meeting_id = (SELECT meeting_id FROM meeting)
),

final AS (
    -- what the form does not show is kept as stored when the sheet is saved (recording._write); the version holds
    -- all the form shows and writes of the sitting (status, format, type, convocation) and its sign-ins, so that a
    -- save never overwrites a change made since the form read them
    SELECT m.meeting_id, m.status, m.format, m.meeting_type, m.requesters, m.commune_insee, m.headcount,
           m.convocation_date,
           md5(coalesce(m.status, '') || '|' || coalesce(m.format, '') || '|' || coalesce(m.meeting_type, '') || '|'
               || coalesce(m.convocation_date::VARCHAR, '') || '|' || coalesce(sheet.rows, '')
               || coalesce('|' || spans.rows, '')) AS version
    FROM sheet
    CROSS JOIN spans
    LEFT JOIN meeting AS m ON true
)

SELECT * FROM final;
