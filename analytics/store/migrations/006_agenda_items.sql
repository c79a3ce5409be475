-- Agenda items and attendance bounded to points (DESIGN.md §3 "agenda items", §4 quorum at each item; issue 12).
--
-- 1. agenda_items: the ordered points of a sitting ("1", "2", "3.1", "10"…), with their title. `position` is the
--    rank of the point in natural order (1, 2, 3…, without gaps), computed by the import from the labels
--    (analytics/rules/agenda.py natural_key): "3" < "3.1" < "10". An import that gives the agenda of a sitting
--    gives all of it: the stored points of that sitting are replaced (deleted, then inserted again), which is why
--    position is not a key that rows are updated through.
--
-- 2. attendance_spans: the rows of a person at a sitting when at least one of them is bounded (arrived at point 5,
--    left after point 24, proxy from point 25). Bounds are inclusive point labels of the sitting's agenda; NULL
--    means from the first point / to the last one, so that a point added to the agenda later extends an open
--    range. Ranges of one person at one sitting never overlap (the import and the form refuse it). `span`
--    numbers the rows of a person at a sitting in agenda order.
--
-- 3. attendance keeps ONE row per person and sitting, the sitting-level status (DESIGN §3): physically there
--    (present or remote) for at least one point → that status (present before remote); otherwise a proxy or a
--    substitution covering a point (the earliest, with its delegate); otherwise excused (if a range says so) or
--    absent. The import and the form write it together with the spans, in the same transaction. So its primary
--    key (meeting_id, person_id) stays, and the macros of migrations 003 and 005 (who is convened, what was
--    recorded), the pre-aggregated tallies and their fingerprint read exactly what they read before: a sitting
--    whose rows carry no bound has no span at all and its counts are unchanged by construction, and the
--    indicators lose no speed (the spans are read only by the per-point rules: quorum at each point, proxies at
--    each point, the agenda strip, the person's fiche). The fingerprint need not hash the spans: what the tallies
--    count of them is the derived attendance row, which it already hashes.
--
-- 4. item_attendance: each person's status at each point of each sitting with an agenda: the span covering the
--    point for a person with spans (no row when none covers it: not there, nothing known), the attendance row
--    for everyone else (an unbounded row covers the whole sitting). `bounded` says which.

CREATE TABLE agenda_items (
    meeting_id        INTEGER NOT NULL REFERENCES meetings (meeting_id),
    position          INTEGER NOT NULL CHECK (position > 0),
    item              VARCHAR NOT NULL CHECK (trim(item) <> '' AND item = trim(item)),
    title             VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, item),
    UNIQUE (meeting_id, position)
);

CREATE TABLE attendance_spans (
    meeting_id        INTEGER NOT NULL REFERENCES meetings (meeting_id),
    person_id         INTEGER NOT NULL REFERENCES persons (person_id),
    span              INTEGER NOT NULL CHECK (span > 0),
    from_item         VARCHAR,
    to_item           VARCHAR,
    status            VARCHAR NOT NULL
                      CHECK (status IN ('present', 'remote', 'excused', 'absent', 'proxy', 'substituted')),
    delegate_id       INTEGER REFERENCES persons (person_id),
    PRIMARY KEY (meeting_id, person_id, span),
    CHECK (from_item IS NOT NULL OR to_item IS NOT NULL),
    CHECK ((status IN ('proxy', 'substituted')) = (delegate_id IS NOT NULL)),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);

CREATE VIEW item_attendance AS
WITH bounded AS (
    -- each span as a range of positions; a bound that names no point of the agenda covers nothing
    SELECT s.meeting_id, s.person_id, s.status, s.delegate_id,
           coalesce(f.position, 1) AS first_position, coalesce(t.position, 2147483647) AS last_position
    FROM attendance_spans AS s
    LEFT JOIN agenda_items AS f ON f.meeting_id = s.meeting_id AND f.item = s.from_item
    LEFT JOIN agenda_items AS t ON t.meeting_id = s.meeting_id AND t.item = s.to_item
    WHERE (s.from_item IS NULL OR f.position IS NOT NULL) AND (s.to_item IS NULL OR t.position IS NOT NULL)
),
spanned AS (
    SELECT DISTINCT meeting_id, person_id FROM attendance_spans
)
SELECT i.meeting_id, i.position, i.item, b.person_id, b.status, b.delegate_id, true AS bounded
FROM agenda_items AS i
JOIN bounded AS b ON b.meeting_id = i.meeting_id AND i.position BETWEEN b.first_position AND b.last_position
UNION ALL
SELECT i.meeting_id, i.position, i.item, a.person_id, a.status, a.delegate_id, false AS bounded
FROM agenda_items AS i
JOIN attendance AS a ON a.meeting_id = i.meeting_id
ANTI JOIN spanned AS s ON s.meeting_id = a.meeting_id AND s.person_id = a.person_id;
