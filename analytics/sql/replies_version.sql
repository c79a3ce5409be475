-- A fingerprint of a sitting's replies, status and convocation date, to refuse a save over someone else's changes.
WITH meeting AS (
    SELECT * FROM meetings WHERE meeting_id = $meeting_id
),

answers AS (
    SELECT string_agg(r.person_id::VARCHAR || ':' || r.reply || ':' || coalesce(r.delegate_id::VARCHAR, ''), ','
                      ORDER BY r.person_id) AS rows
    FROM replies AS r
    WHERE r.meeting_id = $meeting_id
),

final AS (
    SELECT md5(coalesce(m.status, '') || '|' || coalesce(m.convocation_date::VARCHAR, '') || '|'
               || coalesce(a.rows, '')) AS version
    FROM answers AS a
    LEFT JOIN meeting AS m ON true
)

SELECT * FROM final;
