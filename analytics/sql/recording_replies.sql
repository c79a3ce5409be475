-- The replies to the convocation of the sitting of a body on a date (migration 007), from which its sign-in sheet
-- starts on the day: person, reply, delegate (proxy holder or substitute).
WITH meeting AS (
    SELECT meeting_id FROM meetings WHERE body_code = $body AND meeting_date = $day
),

final AS (
    SELECT r.person_id, r.reply, r.delegate_id
    FROM replies AS r
    JOIN meeting AS m USING (meeting_id)
)

SELECT * FROM final ORDER BY person_id;
