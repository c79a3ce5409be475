-- The stored bounded sign-in rows (attendance_spans) of the sittings an import names (staged: body_code,
-- meeting_date), for validating the import against them and diffing them.
WITH sittings AS (
    SELECT DISTINCT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM staged
),

final AS (
    SELECT m.body_code, m.meeting_date, s.person_id, s.span, s.from_item, s.to_item, s.status, s.delegate_id
    FROM attendance_spans AS s
    JOIN meetings AS m USING (meeting_id)
    JOIN sittings USING (body_code, meeting_date)
)

SELECT * FROM final
ORDER BY body_code, meeting_date, person_id, span
