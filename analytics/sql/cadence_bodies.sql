-- The catalogue as the cadence engine needs it: one row per body, in display order.
WITH bodies_ AS (
    SELECT code, name, family, cadence_rule, cadence_n, cadence_phase, legal_floor,
           project_start, project_end, sort_order
    FROM bodies
),
final AS (
    SELECT code, name, family, cadence_rule AS rule, cadence_n, cadence_phase, legal_floor,
           project_start, project_end, sort_order
    FROM bodies_
)
SELECT * FROM final
ORDER BY sort_order, code;
