-- The catalogue as the cadence engine needs it: one row per body, in display order. pause is the text of
-- bodies.pause ("8", "7,8" or NULL), parsed by cadence.pause_months.
WITH bodies_ AS (
    SELECT code, name, family, cadence_rule, cadence_n, cadence_phase, alternates_with, legal_floor,
           project_start, project_end, sort_order, pause
    FROM bodies
),
final AS (
    SELECT code, name, family, cadence_rule AS rule, cadence_n, cadence_phase, alternates_with, legal_floor,
           project_start, project_end, sort_order, pause
    FROM bodies_
)
SELECT * FROM final
ORDER BY sort_order, code;
