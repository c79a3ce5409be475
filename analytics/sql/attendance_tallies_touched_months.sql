-- Refresh of the pre-aggregated tallies after a write of a few sittings: the convocations counted per person, body
-- and month, of the months of the sittings written in their bodies, for every person, from those kept aside by
-- attendance_tallies_touched_convocations.
INSERT INTO attendance_month_tallies (person_id, body_code, month, convened, present, remote, excused, absent, proxy,
                                      substituted)
WITH final AS (
    SELECT person_id, body_code, month, count(*) AS convened,
           count(*) FILTER (status = 'present') AS present, count(*) FILTER (status = 'remote') AS remote,
           count(*) FILTER (status = 'excused') AS excused, count(*) FILTER (status = 'absent') AS absent,
           count(*) FILTER (status = 'proxy') AS proxy, count(*) FILTER (status = 'substituted') AS substituted
    FROM touched_convocations
    GROUP BY person_id, body_code, month
)
SELECT * FROM final
