-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per held meeting
-- (convened_meetings counts the substitutes sitting there with the members proper), of every meeting; also the
-- recount of store/check.py. A write of a few sittings counts theirs with attendance_tallies_touched_meetings.
INSERT INTO attendance_meeting_tallies (meeting_id, body_code, meeting_date, convened, present, remote, excused,
                                        absent, proxy, substituted, communes_convened, communes_represented)
WITH counted_meetings AS (
    SELECT c.meeting_id, c.body_code, c.meeting_date, c.convened, c.communes_convened
    FROM convened_meetings() AS c
),
recorded AS (
    SELECT r.meeting_id,
           count(*) FILTER (r.status = 'present') AS present, count(*) FILTER (r.status = 'remote') AS remote,
           count(*) FILTER (r.status = 'excused') AS excused, count(*) FILTER (r.status = 'absent') AS absent,
           count(*) FILTER (r.status = 'proxy') AS proxy, count(*) FILTER (r.status = 'substituted') AS substituted,
           -- communes with a member present in the room or by video; people with no commune stand for none
           count(DISTINCT p.commune_insee) FILTER (r.status IN ('present', 'remote')) AS communes_represented
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
    FROM counted_meetings AS c
    LEFT JOIN recorded AS r USING (meeting_id)
)
SELECT * FROM final
