-- The replies to the convocations of the sittings of the body $body up to $until, planned or held (kept after the
-- sitting, migration 007): the forecast reads those of the sittings to come, and measures on those of the sittings
-- held how often a reply announcing the member was kept.
WITH sittings AS (
    SELECT meeting_id
    FROM meetings
    WHERE body_code = $body AND status IN ('planned', 'held') AND meeting_date <= $until
),

final AS (
    SELECT r.meeting_id, r.person_id, r.reply, r.delegate_id
    FROM replies AS r
    SEMI JOIN sittings AS s USING (meeting_id)
)

SELECT * FROM final ORDER BY meeting_id, person_id;
