-- Refresh of the pre-aggregated tallies (migrations 003 and 005): the convocations counted per held meeting
-- (convened_meetings counts the substitutes sitting there with the members proper), of every meeting when $all,
-- else of the sittings written ($bodies[i] on $days[i]), all dated from $since to $until.
INSERT INTO attendance_meeting_tallies (meeting_id, body_code, meeting_date, convened, present, remote, excused,
                                        absent, proxy, substituted, communes_convened, communes_represented)
WITH touched AS (
    SELECT unnest($bodies::VARCHAR[]) AS body_code, unnest($days::DATE[]) AS meeting_date
),
counted_meetings AS (
    SELECT c.meeting_id, c.body_code, c.meeting_date, c.convened, c.communes_convened
    FROM convened_meetings($since, $until) AS c
    WHERE $all OR EXISTS (SELECT 1 FROM touched AS w
                          WHERE w.body_code = c.body_code AND w.meeting_date = c.meeting_date)
),
recorded AS (
    SELECT r.meeting_id,
           count(*) FILTER (r.status = 'present') AS present, count(*) FILTER (r.status = 'remote') AS remote,
           count(*) FILTER (r.status = 'excused') AS excused, count(*) FILTER (r.status = 'absent') AS absent,
           count(*) FILTER (r.status = 'proxy') AS proxy, count(*) FILTER (r.status = 'substituted') AS substituted,
           -- communes with a member present in the room or by video; people with no commune stand for none
           count(DISTINCT p.commune_insee) FILTER (r.status IN ('present', 'remote')) AS communes_represented
    FROM recorded_convocations($since, $until) AS r
    JOIN persons AS p USING (person_id)
    WHERE $all OR r.meeting_id IN (SELECT meeting_id FROM counted_meetings)
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
