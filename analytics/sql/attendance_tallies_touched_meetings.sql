-- Refresh of the pre-aggregated tallies after a write of a few sittings: the convocations counted per held meeting,
-- of the sittings written only, from those kept aside by attendance_tallies_touched_convocations.
INSERT INTO attendance_meeting_tallies (meeting_id, body_code, meeting_date, convened, present, remote, excused,
                                        absent, proxy, substituted, communes_convened, communes_represented)
WITH final AS (
    -- communes: people with no commune stand for none; represented by a member present in the room or by video
    SELECT meeting_id, body_code, meeting_date, count(*) AS convened,
           count(*) FILTER (status = 'present') AS present, count(*) FILTER (status = 'remote') AS remote,
           count(*) FILTER (status = 'excused') AS excused, count(*) FILTER (status = 'absent') AS absent,
           count(*) FILTER (status = 'proxy') AS proxy, count(*) FILTER (status = 'substituted') AS substituted,
           count(DISTINCT commune_insee) AS communes_convened,
           count(DISTINCT commune_insee) FILTER (status IN ('present', 'remote')) AS communes_represented
    FROM touched_convocations
    WHERE named  -- the other meetings of their months keep their tallies
    GROUP BY meeting_id, body_code, meeting_date
)
SELECT * FROM final
