-- Whether a sign-in sheet read in columns holds only plain rows (importer._Validator.plain_sign_ins), for the part
-- that needs a join. Views: sheet_rows (sitting, person_id), one per row, no pair twice (checked before);
-- sheet_sittings (sitting, body_code, meeting_date); sheet_offices (person_id, body_code, start_date, end_date), the
-- memberships other than substitute of the sheet's persons, stored or staged by the same import; sheet_bounded
-- (sitting, person_id), the persons with bounded rows stored at a sitting of the sheet. The sheet is plain when every
-- row is a member proper in office that day (`in_office` = `row_count`) and no row has bounded rows stored.
WITH sittings AS (
    SELECT sitting::INTEGER AS sitting, body_code::VARCHAR AS body_code, meeting_date::DATE AS meeting_date
    FROM sheet_sittings
),

offices AS (
    SELECT person_id::BIGINT AS person_id, body_code::VARCHAR AS body_code, start_date::DATE AS start_date,
           end_date::DATE AS end_date
    FROM sheet_offices
),

bounded AS (
    SELECT sitting::INTEGER AS sitting, person_id::BIGINT AS person_id
    FROM sheet_bounded
),

signed AS (
    SELECT r.sitting, r.person_id, s.body_code, s.meeting_date
    FROM sheet_rows AS r
    JOIN sittings AS s USING (sitting)
),

in_office AS (
    SELECT r.sitting
    FROM signed AS r
    SEMI JOIN offices AS o
        ON o.person_id = r.person_id AND o.body_code = r.body_code
        AND r.meeting_date >= o.start_date AND (o.end_date IS NULL OR r.meeting_date <= o.end_date)
),

final AS (
    SELECT
        (SELECT count(*) FROM sheet_rows) AS row_count,
        (SELECT count(*) FROM in_office) AS in_office,
        (SELECT count(*) FROM sheet_rows SEMI JOIN bounded USING (sitting, person_id)) AS bounded
)

SELECT * FROM final
