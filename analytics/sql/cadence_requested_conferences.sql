-- Conférences des maires convened at the request of the mayors (CGCT L5211-11-3): at least a third of the mayors
-- must ask, and at most 4 such sittings per calendar year. The rank is computed over whole calendar years so that
-- requests made before the start of the range still count towards the yearly limit.
WITH mayors AS (
    SELECT count(*)::INTEGER AS mayors
    FROM communes
),
requests AS (
    SELECT meeting_id, body_code, meeting_date, status, requesters
    FROM meetings
    WHERE body_code = $body_code
      AND meeting_type = 'requested'
      AND year(meeting_date) BETWEEN year($start::DATE) AND year($end::DATE)
),
ranked AS (
    SELECT *,
           -- cancelled requests were never convened: they use none of the 4 allowed per year
           CASE WHEN status <> 'cancelled' THEN
               row_number() OVER (PARTITION BY year(meeting_date), status <> 'cancelled'
                                  ORDER BY meeting_date, meeting_id)
           END::INTEGER AS rank_in_year
    FROM requests
),
final AS (
    SELECT ranked.meeting_id, ranked.body_code, bodies.name AS body_name, ranked.meeting_date, ranked.status,
           ranked.requesters, mayors.mayors,
           -- ceil(mayors / 3) in integer arithmetic: 13 for 39 communes
           ((mayors.mayors + 2) // 3)::INTEGER AS threshold,
           ranked.requesters >= ((mayors.mayors + 2) // 3) AS threshold_met,
           ranked.rank_in_year,
           coalesce(ranked.rank_in_year > 4, false) AS over_limit
    FROM ranked
    CROSS JOIN mayors
    JOIN bodies ON bodies.code = ranked.body_code
    WHERE ranked.meeting_date BETWEEN $start::DATE AND $end::DATE
)
SELECT * FROM final
ORDER BY meeting_date, meeting_id;
