-- The sittings whose convocation date is known, for the bodies with a legal delay of convocation (the Conseil: 5
-- clear days, CGCT L2121-12; bodies.convocation_delay), whose date lies in [$start, $end], or that are planned after
-- $end with a convocation sent by then (already late, before the sitting). Cancelled sittings are left out: a
-- convocation for a sitting that did not take place decided nothing. analytics/rules/alerts.py counts the clear
-- days (analytics/rules/forecast.py clear_days, legal_delay).
WITH convened AS (
    SELECT m.meeting_id, m.body_code, b.name AS body_name, m.meeting_date, m.status, m.meeting_type,
           m.convocation_date, b.convocation_delay
    FROM meetings AS m
    JOIN bodies AS b ON b.code = m.body_code
    WHERE m.status <> 'cancelled'
      AND m.convocation_date IS NOT NULL
      AND b.convocation_delay IS NOT NULL
      AND m.convocation_date <= $end
),

final AS (
    SELECT *
    FROM convened
    WHERE meeting_date BETWEEN $start AND $end
       OR (status = 'planned' AND meeting_date > $end)
)

SELECT * FROM final
ORDER BY meeting_date, body_code
