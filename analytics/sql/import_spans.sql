-- The stored bounded sign-in rows (attendance_spans), for validating an import against them and diffing them.
WITH final AS (
    SELECT m.body_code, m.meeting_date, s.person_id, s.span, s.from_item, s.to_item, s.status, s.delegate_id
    FROM attendance_spans AS s
    JOIN meetings AS m USING (meeting_id)
)
SELECT * FROM final
ORDER BY body_code, meeting_date, person_id, span
