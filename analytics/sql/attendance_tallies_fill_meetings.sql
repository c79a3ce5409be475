-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per held meeting
-- (convened_meetings counts the substitutes sitting there with the members proper).
INSERT INTO attendance_meeting_tallies (meeting_id, body_code, meeting_date, convened, present, remote, excused,
                                        absent, proxy, substituted, communes_convened, communes_represented)
WITH recorded AS (
    SELECT r.meeting_id,
           count(*) FILTER (WHERE r.status = 'present') AS present,
           count(*) FILTER (WHERE r.status = 'remote') AS remote,
           count(*) FILTER (WHERE r.status = 'excused') AS excused,
           count(*) FILTER (WHERE r.status = 'absent') AS absent,
           count(*) FILTER (WHERE r.status = 'proxy') AS proxy,
           count(*) FILTER (WHERE r.status = 'substituted') AS substituted,
           -- communes with a member present in the room or by video; people with no commune stand for none
           count(DISTINCT p.commune_insee) FILTER (WHERE r.status IN ('present', 'remote')) AS communes_represented
    FROM recorded_convocations() AS r
    JOIN persons AS p USING (person_id)
    GROUP BY r.meeting_id
),
final AS (
    SELECT c.meeting_id, c.body_code, c.meeting_date, c.convened,
           coalesce(r.present, 0) AS present, coalesce(r.remote, 0) AS remote,
           coalesce(r.excused, 0) AS excused, coalesce(r.absent, 0) AS absent,
           coalesce(r.proxy, 0) AS proxy, coalesce(r.substituted, 0) AS substituted,
           c.communes_convened, coalesce(r.communes_represented, 0) AS communes_represented
    FROM convened_meetings() AS c
    LEFT JOIN recorded AS r USING (meeting_id)
)
SELECT * FROM final
