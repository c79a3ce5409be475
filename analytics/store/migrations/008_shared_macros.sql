-- Rules that several queries of analytics/sql apply, written once so that they cannot drift apart. Macros only: no
-- table changes, no row is written (a base at version 7 and one built anew end with the same schema).

-- Whether a status recorded at a sitting puts the person in the room for the quorum (DESIGN.md §4, CGCT L2121-17
-- via L5211-1): present; by video only at a sitting held by teleconference (format video or mixed, L5211-11-1).
-- quorum_quorum.sql and forecast_outcomes.sql judge the members and the substitutes who sit by it.
CREATE MACRO there_for_quorum(recorded_status, sitting_format) AS
    recorded_status = 'present' OR (recorded_status = 'remote' AND sitting_format IN ('video', 'mixed'));

-- The terms of office of the members proper of a body (substitutes sit only in place of a member: they are not in
-- office), the overlapping memberships of a person merged, so that a person is counted once per sitting; an open
-- membership ends on 31 December 9999.
CREATE MACRO office_terms(of_body) AS TABLE
WITH offices AS (
    SELECT person_id, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
    WHERE body_code = of_body AND role <> 'substitute'
),
reach AS (
    -- latest end among the earlier offices of the same person
    SELECT *,
           max(end_date) OVER (PARTITION BY person_id ORDER BY start_date, end_date
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
    FROM offices
),
numbered AS (
    -- a new term begins where an office starts after every earlier one has ended
    SELECT *,
           sum(CASE WHEN reached IS NULL OR start_date > reached THEN 1 ELSE 0 END)
               OVER (PARTITION BY person_id ORDER BY start_date, end_date ROWS UNBOUNDED PRECEDING) AS term
    FROM reach
)
SELECT person_id, min(start_date) AS start_date, max(end_date) AS end_date
FROM numbered
GROUP BY person_id, term;

-- The start of the mandate in force on a day: the day most of the memberships of `of_body` (the Conseil) in force
-- that day began, the later one on a tie (as views_mandate_start.sql); NULL when none is in force. The cadence
-- queries do not judge a period, nor measure a gap, across a change of mandate.
CREATE MACRO mandate_start_on(on_day, of_body) AS (
    SELECT start_date
    FROM (SELECT start_date, count(*) AS memberships
          FROM memberships
          WHERE body_code = of_body AND start_date <= on_day AND (end_date IS NULL OR end_date >= on_day)
          GROUP BY start_date)
    ORDER BY memberships DESC, start_date DESC
    LIMIT 1
);

-- The attendance figures of a group of convocations (a meeting, a person in a body, a commune…) from its counts:
-- the counts as BIGINT, the rows not recorded and the rates (DESIGN.md §3), NULL where nothing was recorded or
-- convened. A struct: `unnest(attendance_figures(…))` gives its fields as columns, in this order.
CREATE MACRO attendance_figures(convened, recorded, present, remote, excused, absent, proxy, substituted) AS {
    'convened': convened::BIGINT, 'recorded': recorded::BIGINT,
    'present': present::BIGINT, 'remote': remote::BIGINT, 'excused': excused::BIGINT,
    'absent': absent::BIGINT, 'proxy': proxy::BIGINT, 'substituted': substituted::BIGINT,
    'not_recorded': (convened - recorded)::BIGINT,
    'presence_rate': (present + remote) / NULLIF(recorded, 0),
    'participation_rate': (present + remote + proxy + substituted) / NULLIF(recorded, 0),
    'excused_share': excused / NULLIF(recorded, 0),
    'unexcused_share': absent / NULLIF(recorded, 0),
    'completeness': recorded / NULLIF(convened, 0)
};
