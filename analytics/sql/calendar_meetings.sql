-- The meetings of the bodies in $body_codes between $start and $end, any status, with their body's name and order.
WITH chosen AS (
    SELECT meeting_id, body_code, meeting_date, status, format, meeting_type, commune_insee
    FROM meetings
    WHERE meeting_date BETWEEN $start::DATE AND $end::DATE
      AND list_contains($body_codes::VARCHAR[], body_code)
),
final AS (
    SELECT chosen.meeting_id, chosen.body_code, bodies.name AS body_name, bodies.sort_order,
           chosen.meeting_date, chosen.status, chosen.format, chosen.meeting_type,
           communes.name AS commune_name
    FROM chosen
    JOIN bodies ON bodies.code = chosen.body_code
    LEFT JOIN communes ON communes.insee = chosen.commune_insee
)
SELECT * FROM final
ORDER BY meeting_date, sort_order, body_code;
