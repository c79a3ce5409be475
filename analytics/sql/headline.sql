-- Headline counts of the whole database.
WITH meeting_counts AS (
    SELECT
        count(*) FILTER (WHERE status = 'held') AS meetings_held,
        count(*) FILTER (WHERE status = 'cancelled') AS meetings_cancelled,
        count(*) FILTER (WHERE status = 'planned') AS meetings_planned,
        min(meeting_date) FILTER (WHERE status = 'held') AS first_meeting,
        max(meeting_date) FILTER (WHERE status = 'held') AS last_meeting
    FROM meetings
),

final AS (
    SELECT
        (SELECT count(*) FROM communes) AS communes,
        (SELECT count(*) FROM bodies) AS bodies,
        (SELECT count(*) FROM persons) AS persons,
        (SELECT count(DISTINCT person_id) FROM memberships WHERE body_code = 'conseil' AND role <> 'substitute'
            AND start_date <= current_date AND (end_date IS NULL OR end_date >= current_date)) AS councillors,
        meeting_counts.*,
        (SELECT count(*) FROM attendance) AS attendance_rows,
        (SELECT max(imported_at) FROM import_log) AS last_import
    FROM meeting_counts
)

SELECT * FROM final;
