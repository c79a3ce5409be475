-- Attendance rows of a person, or naming a delegate, with no membership of the meeting's body (of any role)
-- covering its date. The import and the form only accept members of the body that day; a membership shortened by a
-- later import can leave such rows, which the indicators leave out (the person is not convened). One row per
-- attendance row and `who` is outside ('person' or 'delegate'); `total` is their number for that `who`, the rows
-- being cut to $limit for each.
WITH placed AS (
    SELECT a.meeting_id, a.person_id, a.delegate_id, m.body_code, m.meeting_date
    FROM attendance AS a
    JOIN meetings AS m USING (meeting_id)
),
outside AS (
    SELECT 'person' AS who, p.meeting_id, p.body_code, p.meeting_date, p.person_id
    FROM placed AS p
    ANTI JOIN memberships AS s
        ON s.person_id = p.person_id AND s.body_code = p.body_code
       AND p.meeting_date >= s.start_date AND (s.end_date IS NULL OR p.meeting_date <= s.end_date)
    UNION ALL
    SELECT 'delegate', p.meeting_id, p.body_code, p.meeting_date, p.delegate_id
    FROM placed AS p
    ANTI JOIN memberships AS s
        ON s.person_id = p.delegate_id AND s.body_code = p.body_code
       AND p.meeting_date >= s.start_date AND (s.end_date IS NULL OR p.meeting_date <= s.end_date)
    WHERE p.delegate_id IS NOT NULL
),
final AS (
    SELECT *, count(*) OVER (PARTITION BY who) AS total
    FROM outside
    QUALIFY row_number() OVER (PARTITION BY who ORDER BY meeting_date, body_code, person_id) <= $limit
)
SELECT * FROM final
ORDER BY who DESC, meeting_date, body_code, person_id
