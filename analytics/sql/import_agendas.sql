-- The stored agendas of the sittings an import names (staged: body_code, meeting_date), for validating it: each
-- sitting's points with their position and title.
WITH sittings AS (
    SELECT DISTINCT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM staged
),

final AS (
    SELECT m.body_code, m.meeting_date, i.item, i.position, i.title
    FROM agenda_items AS i
    JOIN meetings AS m USING (meeting_id)
    JOIN sittings AS s USING (body_code, meeting_date)
)

SELECT * FROM final
ORDER BY body_code, meeting_date, position
