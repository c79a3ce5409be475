-- Attendance counts per held meeting over [$start, $end] (level meeting), with the representation of the
-- communes, and their monthly rollup per body (level body_month).
WITH held AS (
    -- only held meetings convene anyone: cancelled and planned ones never count
    SELECT meeting_id, body_code, meeting_date, date_trunc('month', meeting_date)::DATE AS month
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN $start AND $end
),
open_memberships AS (
    SELECT person_id, body_code, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
),
reach AS (
    -- latest end among the earlier memberships of the same person in the same body
    SELECT *,
           max(end_date) OVER (PARTITION BY person_id, body_code ORDER BY start_date, end_date
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM open_memberships
),
islands AS (
    SELECT *,
           sum(CASE WHEN reached IS NULL OR start_date > reached THEN 1 ELSE 0 END)
               OVER (PARTITION BY person_id, body_code ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING)
               AS island
    FROM reach
),
spans AS (
    -- overlapping memberships (a change of role…) merged, so that a person is convened once per meeting
    SELECT person_id, body_code, min(start_date) AS start_date, max(end_date) AS end_date
    FROM islands
    GROUP BY person_id, body_code, island
),
commune_bits AS (
    -- each commune as one bit, so that "how many distinct communes" is a bit count of an OR per meeting instead
    -- of a DISTINCT over millions of (meeting, commune) pairs; a HUGEINT holds 127 bits, m2A has 39 communes
    SELECT insee,
           CASE WHEN ordinal <= 126 THEN 1::HUGEINT << ordinal::HUGEINT
                ELSE error('more than 127 communes: attendance_counts_meetings.sql needs a wider bit set') END AS bit
    FROM (SELECT insee, row_number() OVER (ORDER BY insee) - 1 AS ordinal FROM communes)
),
people AS (
    -- people with no commune are convened and counted, but stand for no commune (bit 0)
    SELECT p.person_id, coalesce(cb.bit, 0) AS bit
    FROM persons AS p
    LEFT JOIN commune_bits AS cb ON cb.insee = p.commune_insee
),
convened AS (
    -- a range join of two small tables (held meetings × spans of the same body), aggregated as it streams
    SELECT h.meeting_id, count(*) AS convened, bit_count(bit_or(pe.bit)) AS communes_convened
    FROM held AS h
    JOIN spans AS s ON s.body_code = h.body_code AND h.meeting_date BETWEEN s.start_date AND s.end_date
    JOIN people AS pe ON pe.person_id = s.person_id
    GROUP BY h.meeting_id
),
marks AS (
    -- recorded statuses of convened people; rows of people not convened are ignored, and not_recorded is derived
    -- as convened - recorded so that a missing row and an explicit not_recorded row count alike
    SELECT a.meeting_id, a.status, pe.bit
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    SEMI JOIN open_memberships AS m
        ON m.person_id = a.person_id AND m.body_code = h.body_code
       AND h.meeting_date BETWEEN m.start_date AND m.end_date
    JOIN people AS pe ON pe.person_id = a.person_id
    WHERE a.status <> 'not_recorded'
),
tallies AS (
    SELECT meeting_id,
           count(*) FILTER (WHERE status = 'present') AS present,
           count(*) FILTER (WHERE status = 'remote') AS remote,
           count(*) FILTER (WHERE status = 'excused') AS excused,
           count(*) FILTER (WHERE status = 'absent') AS absent,
           count(*) FILTER (WHERE status = 'proxy') AS proxy,
           count(*) FILTER (WHERE status = 'substituted') AS substituted,
           -- communes with at least one convened member present in the room or by video
           bit_count(bit_or(bit) FILTER (WHERE status IN ('present', 'remote'))) AS communes_represented
    FROM marks
    GROUP BY meeting_id
),
meeting_rows AS (
    SELECT h.meeting_id, h.body_code, h.meeting_date, h.month, c.convened, c.communes_convened,
           coalesce(t.present, 0) AS present, coalesce(t.remote, 0) AS remote,
           coalesce(t.excused, 0) AS excused, coalesce(t.absent, 0) AS absent,
           coalesce(t.proxy, 0) AS proxy, coalesce(t.substituted, 0) AS substituted,
           coalesce(t.communes_represented, 0) AS communes_represented
    FROM held AS h
    JOIN convened AS c USING (meeting_id)
    LEFT JOIN tallies AS t USING (meeting_id)
),
rolled AS (
    -- body_month weighs by convocations: counts are summed, the rates are divided afterwards
    SELECT CASE WHEN grouping(meeting_id) = 0 THEN 'meeting' ELSE 'body_month' END AS level,
           meeting_id, body_code, month,
           sum(convened) AS convened, sum(present) AS present, sum(remote) AS remote, sum(excused) AS excused,
           sum(absent) AS absent, sum(proxy) AS proxy, sum(substituted) AS substituted,
           -- representation is a per-meeting figure: no monthly sum of communes
           CASE WHEN grouping(meeting_id) = 0 THEN sum(communes_convened) END AS communes_convened,
           CASE WHEN grouping(meeting_id) = 0 THEN sum(communes_represented) END AS communes_represented
    FROM meeting_rows
    GROUP BY GROUPING SETS ((meeting_id, body_code, month), (body_code, month))
),
counted AS (
    SELECT *, present + remote + excused + absent + proxy + substituted AS recorded
    FROM rolled
),
final AS (
    SELECT k.level, k.meeting_id, k.body_code, b.name AS body_name, b.sort_order, g.meeting_date, k.month,
           k.convened::BIGINT AS convened, k.recorded::BIGINT AS recorded,
           k.present::BIGINT AS present, k.remote::BIGINT AS remote, k.excused::BIGINT AS excused,
           k.absent::BIGINT AS absent, k.proxy::BIGINT AS proxy, k.substituted::BIGINT AS substituted,
           (k.convened - k.recorded)::BIGINT AS not_recorded,
           (k.present + k.remote) / NULLIF(k.recorded, 0) AS presence_rate,
           (k.present + k.remote + k.proxy + k.substituted) / NULLIF(k.recorded, 0) AS participation_rate,
           k.excused / NULLIF(k.recorded, 0) AS excused_share,
           k.absent / NULLIF(k.recorded, 0) AS unexcused_share,
           k.recorded / NULLIF(k.convened, 0) AS completeness,
           k.communes_convened::BIGINT AS communes_convened,
           k.communes_represented::BIGINT AS communes_represented,
           k.communes_represented / NULLIF(k.communes_convened, 0) AS representation
    FROM counted AS k
    LEFT JOIN bodies AS b ON b.code = k.body_code
    LEFT JOIN meetings AS g ON g.meeting_id = k.meeting_id
)
SELECT * FROM final
