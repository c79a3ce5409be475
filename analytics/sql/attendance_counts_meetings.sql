-- Attendance counts per held meeting over [$start, $end], with the representation of the communes, in the order of
-- the level meeting: by date, then body, then id.
--
-- When $fresh (the pre-aggregated tallies were counted from the rows stored now), the meetings come from
-- attendance_meeting_tallies. Otherwise they are counted here: convened people (members proper and the
-- substitutes who sit) from the macro convened_meetings, recorded statuses from recorded_convocations (migrations
-- 003 and 005).
WITH meetings_here AS (
    SELECT meeting_id, body_code, meeting_date, convened, communes_convened
    FROM convened_meetings($start, $end)
    WHERE NOT $fresh
),
recorded_here AS (
    -- not_recorded is derived as convened - recorded, so that a missing row and an explicit not_recorded row
    -- count alike
    SELECT meeting_id, person_id, status
    FROM recorded_convocations($start, $end)
    WHERE NOT $fresh
),
meeting_recorded AS (
    SELECT r.meeting_id,
           count(*) FILTER (WHERE r.status = 'present') AS present,
           count(*) FILTER (WHERE r.status = 'remote') AS remote,
           count(*) FILTER (WHERE r.status = 'excused') AS excused,
           count(*) FILTER (WHERE r.status = 'absent') AS absent,
           count(*) FILTER (WHERE r.status = 'proxy') AS proxy,
           count(*) FILTER (WHERE r.status = 'substituted') AS substituted,
           -- communes with a member present in the room or by video; people with no commune stand for none
           count(DISTINCT p.commune_insee) FILTER (WHERE r.status IN ('present', 'remote')) AS communes_represented
    FROM recorded_here AS r
    JOIN persons AS p USING (person_id)
    GROUP BY r.meeting_id
),
meeting_rows AS (
    SELECT meeting_id, body_code, meeting_date, convened, present, remote, excused, absent, proxy, substituted,
           communes_convened, communes_represented
    FROM attendance_meeting_tallies
    WHERE $fresh AND meeting_date BETWEEN $start AND $end
    UNION ALL
    SELECT c.meeting_id, c.body_code, c.meeting_date, c.convened,
           coalesce(r.present, 0), coalesce(r.remote, 0), coalesce(r.excused, 0), coalesce(r.absent, 0),
           coalesce(r.proxy, 0), coalesce(r.substituted, 0), c.communes_convened, coalesce(r.communes_represented, 0)
    FROM meetings_here AS c
    LEFT JOIN meeting_recorded AS r USING (meeting_id)
),
counted AS (
    SELECT *, present + remote + excused + absent + proxy + substituted AS recorded
    FROM meeting_rows
),
final AS (
    -- the counts and rates of the macro attendance_figures (migration 008), as those of every other level
    SELECT k.meeting_id, k.body_code, b.name AS body_name, b.sort_order, k.meeting_date,
           unnest(attendance_figures(k.convened, k.recorded, k.present, k.remote, k.excused, k.absent, k.proxy,
                                     k.substituted)),
           k.communes_convened::BIGINT AS communes_convened,
           k.communes_represented::BIGINT AS communes_represented,
           k.communes_represented / NULLIF(k.communes_convened, 0) AS representation
    FROM counted AS k
    LEFT JOIN bodies AS b ON b.code = k.body_code
)
SELECT * FROM final
ORDER BY meeting_date, sort_order, meeting_id
