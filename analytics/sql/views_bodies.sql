-- The bodies a sector filter keeps: those of no sector and those of $sector (every body when $sector is NULL).
WITH final AS (
    SELECT code, name, family, cadence_rule AS rule, cadence_n, cadence_phase, sector, required_rate, sort_order,
           project_start, project_end, legal_floor
    FROM bodies
    WHERE $sector::VARCHAR IS NULL OR sector IS NULL OR sector = $sector::VARCHAR
)
SELECT * FROM final
ORDER BY sort_order, code;
