-- The substitutions stored at the sittings of an import (staged: body_code, meeting_date): which titular's row says
-- 'substituted', naming which substitute. The import checks against them that a substitute signing in sits in
-- place of a titular (DESIGN.md §3).
WITH sittings AS (
    SELECT DISTINCT body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM staged
),
final AS (
    SELECT m.body_code, m.meeting_date, a.person_id AS titular_id, a.delegate_id AS substitute_id
    FROM attendance AS a
    JOIN meetings AS m USING (meeting_id)
    JOIN sittings AS s USING (body_code, meeting_date)
    WHERE a.status = 'substituted'
    UNION
    -- a titular substituted for part of the sitting only (bounded rows, migration 006)
    SELECT m.body_code, m.meeting_date, a.person_id, a.delegate_id
    FROM attendance_spans AS a
    JOIN meetings AS m USING (meeting_id)
    JOIN sittings AS s USING (body_code, meeting_date)
    WHERE a.status = 'substituted'
)
SELECT * FROM final
