-- Held rencontres avec les conseils municipaux (meetings naming the commune met) between $start and $end.
WITH met AS (
    SELECT commune_insee AS insee, meeting_date
    FROM meetings
    WHERE body_code = $body_code AND status = 'held' AND commune_insee IS NOT NULL
      AND meeting_date BETWEEN $start::DATE AND $end::DATE
),
final AS (
    SELECT insee, count(*)::BIGINT AS meetings, min(meeting_date) AS first_met, max(meeting_date) AS last_met
    FROM met
    GROUP BY insee
)
SELECT * FROM final;
