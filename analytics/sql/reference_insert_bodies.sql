-- Bodies of the catalogue that the database does not hold yet (existing rows keep their edits).
INSERT INTO bodies (code, name, family, cadence_rule, cadence_n, cadence_phase, alternates_with, legal_floor,
                    required_rate, sector, project_start, project_end, sort_order)
SELECT ref.code, ref.name, ref.family, ref.cadence_rule, ref.cadence_n, ref.cadence_phase, ref.alternates_with,
       ref.legal_floor, ref.required_rate, ref.sector, ref.project_start, ref.project_end, ref.sort_order
FROM ref_bodies AS ref
ANTI JOIN bodies USING (code);
