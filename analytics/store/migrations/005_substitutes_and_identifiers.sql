-- Substitutes convened only where they sit, and an identifier the secretariat chooses for each person
-- (DESIGN.md §3, issue 11).
--
-- 1. A substitute (a membership of role 'substitute') is convened only at the held sittings where they sit in place
--    of their titular: the titular, convened there, has a row 'substituted' naming them as delegate. Anywhere else
--    they are neither convened nor not_recorded. The macros of migration 003 are replaced: membership_segments()
--    now cuts the time of a body by the memberships of its members proper (substitutes left out), the new
--    substitute_convocations() lists the substitutes who sit, and convened_meetings() and recorded_convocations()
--    count both. The fill queries of the tallies (analytics/sql/attendance_tallies_fill_*.sql) and the counts
--    queries read these macros and add substitute_convocations() where they count convocations person by person.
--    Who is convened now depends on the delegate of an attendance row and on the role of a membership: both join
--    the fingerprint, and the tallies counted before are dropped from trust (see the end).
--
-- 2. persons.identifier: an optional, stable key the secretariat chooses (column « identifiant » of the members
--    template) to tell two homonyms of one commune apart. It is unique, but the import enforces that, not an index:
--    DuckDB refuses to write an indexed column of a row that other tables reference (even from NULL, even inside
--    one transaction), so a UNIQUE index would forbid ever giving an identifier to a person who already has
--    memberships. For the same reason this migration cannot rewrite persons.match_key (UNIQUE) of referenced
--    persons, although the match key now folds hyphens, spaces and apostrophes away (analytics/wording/text.py
--    name_fold): the import recomputes every stored person's key from the stored names instead of reading
--    match_key, refuses a row whose key two stored persons share (it never merges them silently) and writes the
--    new form of the key for the persons it creates. match_key stays what it always was for the other readers: a
--    unique, accent- and case-folded "last|first|insee", and the marker of erased persons.

ALTER TABLE persons ADD COLUMN identifier VARCHAR;

-- Who sits in each body as a member proper, period by period: the memberships of a body other than substitutes cut
-- its time into segments (first_day to last_day) during which its members do not change; one row per segment and
-- member. A person with overlapping memberships of a body (a change of role…) is listed once, so that a person is
-- convened once per meeting.
CREATE OR REPLACE MACRO membership_segments() AS TABLE
WITH open_memberships AS (
    SELECT person_id, body_code, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
    WHERE role <> 'substitute'
),
bounds AS (
    -- the days on which the members of a body may change: a membership starts, or the day after one ends
    SELECT body_code, start_date AS first_day FROM open_memberships
    UNION
    SELECT body_code, end_date + 1 FROM open_memberships WHERE end_date < DATE '9999-12-31'
),
segments AS (
    SELECT body_code, first_day,
           coalesce(lead(first_day) OVER (PARTITION BY body_code ORDER BY first_day) - 1, DATE '9999-12-31')
               AS last_day
    FROM bounds
)
-- a membership covers whole segments, since each of its ends is a bound; a segment with nobody has no row
SELECT DISTINCT g.body_code, g.first_day, g.last_day, m.person_id
FROM segments AS g
JOIN open_memberships AS m ON m.body_code = g.body_code AND g.first_day BETWEEN m.start_date AND m.end_date;

-- The substitutes who sit, at the held meetings from `since` to `until`: one row per meeting and substitute named
-- as delegate on the 'substituted' row of a titular convened there (a member proper of the body that day), when
-- the substitute holds a substitute membership of the body covering the date and is not a member proper that day
-- (then they are convened as such already).
CREATE MACRO substitute_convocations(since := DATE '0001-01-01', until := DATE '9999-12-31') AS TABLE
WITH held AS (
    SELECT meeting_id, body_code, meeting_date
    FROM meetings
    WHERE status = 'held' AND meeting_date BETWEEN since AND until
),
substitutions AS (
    SELECT a.meeting_id, h.body_code, h.meeting_date, a.person_id AS titular_id, a.delegate_id AS person_id
    FROM attendance AS a
    JOIN held AS h USING (meeting_id)
    WHERE a.status = 'substituted'
),
titular_convened AS (
    SELECT s.*
    FROM substitutions AS s
    SEMI JOIN memberships AS t
        ON t.person_id = s.titular_id AND t.body_code = s.body_code AND t.role <> 'substitute'
       AND s.meeting_date >= t.start_date AND (t.end_date IS NULL OR s.meeting_date <= t.end_date)
),
named_substitutes AS (
    SELECT s.*
    FROM titular_convened AS s
    SEMI JOIN memberships AS d
        ON d.person_id = s.person_id AND d.body_code = s.body_code AND d.role = 'substitute'
       AND s.meeting_date >= d.start_date AND (d.end_date IS NULL OR s.meeting_date <= d.end_date)
),
final AS (
    -- DISTINCT: a substitute named by two titulars (which the import and the form refuse) is convened once
    SELECT DISTINCT s.meeting_id, s.body_code, s.meeting_date, s.person_id
    FROM named_substitutes AS s
    ANTI JOIN memberships AS r
        ON r.person_id = s.person_id AND r.body_code = s.body_code AND r.role <> 'substitute'
       AND s.meeting_date >= r.start_date AND (r.end_date IS NULL OR s.meeting_date <= r.end_date)
)
SELECT * FROM final;

-- Every held meeting from `since` to `until` with someone convened (convened: the members proper of its body in the
-- segment holding its date, plus the substitutes sitting there), with the number of communes convened (people
-- with no commune stand for none). first_day names the segment, for the counts per person of its members.
CREATE OR REPLACE MACRO convened_meetings(since := DATE '0001-01-01', until := DATE '9999-12-31') AS TABLE
WITH segment_sets AS (
    SELECT s.body_code, s.first_day, s.last_day, count(*) AS convened,
           count(DISTINCT p.commune_insee) AS communes_convened
    FROM membership_segments() AS s
    JOIN persons AS p USING (person_id)
    GROUP BY s.body_code, s.first_day, s.last_day
),
placed AS (
    SELECT m.meeting_id, m.body_code, m.meeting_date, g.first_day, g.convened, g.communes_convened
    FROM meetings AS m
    JOIN segment_sets AS g ON g.body_code = m.body_code AND m.meeting_date BETWEEN g.first_day AND g.last_day
    WHERE m.status = 'held' AND m.meeting_date BETWEEN since AND until
),
segment_communes AS (
    SELECT DISTINCT s.body_code, s.first_day, p.commune_insee
    FROM membership_segments() AS s
    JOIN persons AS p USING (person_id)
    WHERE p.commune_insee IS NOT NULL
),
sitting_substitutes AS (
    -- a substitute's commune counts only if no member proper of the segment stands for it already
    SELECT c.meeting_id, count(*) AS convened,
           count(DISTINCT p.commune_insee) FILTER (WHERE g.commune_insee IS NULL) AS communes_convened
    FROM substitute_convocations(since, until) AS c
    JOIN placed AS pl USING (meeting_id)
    JOIN persons AS p ON p.person_id = c.person_id
    LEFT JOIN segment_communes AS g
        ON g.body_code = pl.body_code AND g.first_day = pl.first_day AND g.commune_insee = p.commune_insee
    GROUP BY c.meeting_id
)
SELECT pl.meeting_id, pl.body_code, pl.meeting_date, pl.first_day,
       pl.convened + coalesce(s.convened, 0) AS convened,
       pl.communes_convened + coalesce(s.communes_convened, 0) AS communes_convened
FROM placed AS pl
LEFT JOIN sitting_substitutes AS s USING (meeting_id);

-- The recorded statuses (all but not_recorded) of convened people at the held meetings from `since` to `until`, one
-- row per meeting and person: members proper of the meeting's segment, and the substitutes sitting there. Rows of
-- people not convened are left out; a convened person with no row here is not_recorded.
CREATE OR REPLACE MACRO recorded_convocations(since := DATE '0001-01-01', until := DATE '9999-12-31') AS TABLE
WITH segments AS NOT MATERIALIZED (
    SELECT body_code, first_day, last_day,
           CASE WHEN n < 1048576 THEN n
                ELSE error('2^20 membership segments or more: recorded_convocations needs a wider key') END
               AS segment
    FROM (SELECT body_code, first_day, last_day, row_number() OVER (ORDER BY body_code, first_day) AS n
          FROM (SELECT DISTINCT body_code, first_day, last_day FROM membership_segments()))
),
members AS (
    -- (person, segment) as one number, so that the check below is a single equality
    SELECT s.person_id::BIGINT * 1048576 + g.segment AS member_key
    FROM membership_segments() AS s
    JOIN segments AS g USING (body_code, first_day)
),
placed AS (
    -- each held meeting in the segment of its body holding its date (none when that period has no member)
    SELECT m.meeting_id, m.body_code, m.meeting_date, g.segment
    FROM meetings AS m
    ASOF JOIN segments AS g ON g.body_code = m.body_code AND g.first_day <= m.meeting_date
    WHERE m.status = 'held' AND m.meeting_date BETWEEN since AND until AND m.meeting_date <= g.last_day
),
members_proper AS (
    SELECT a.meeting_id, a.person_id, p.body_code, p.meeting_date, a.status
    FROM attendance AS a
    JOIN placed AS p USING (meeting_id)
    -- the key mixes an attendance column and a meeting column: each attendance row finds its meeting, then is
    -- checked against the small members table, rather than meetings being paired with all their members first
    JOIN members AS m ON m.member_key = a.person_id::BIGINT * 1048576 + p.segment
    WHERE a.status <> 'not_recorded'
),
substitutes AS (
    SELECT a.meeting_id, a.person_id, c.body_code, c.meeting_date, a.status
    FROM attendance AS a
    JOIN substitute_convocations(since, until) AS c USING (meeting_id, person_id)
    WHERE a.status <> 'not_recorded'
)
SELECT * FROM members_proper
UNION ALL
SELECT * FROM substitutes;

-- What the tallies depend on, as in migration 003, with the delegate of an attendance row (it convenes a
-- substitute) and the role of a membership (a substitute is convened only where they sit).
CREATE OR REPLACE VIEW attendance_fingerprint AS
SELECT *
FROM (SELECT count(*) AS attendance_rows,
             coalesce(bit_xor(hash(meeting_id, person_id, status, delegate_id)), 0::UBIGINT) AS attendance_hash
      FROM attendance)
CROSS JOIN (SELECT count(*) AS meetings_rows,
                   coalesce(bit_xor(hash(meeting_id, body_code, meeting_date, status)), 0::UBIGINT) AS meetings_hash
            FROM meetings)
CROSS JOIN (SELECT count(*) AS memberships_rows,
                   coalesce(bit_xor(hash(person_id, body_code, role, start_date, end_date)), 0::UBIGINT)
                       AS memberships_hash
            FROM memberships)
CROSS JOIN (SELECT count(*) AS persons_rows,
                   coalesce(bit_xor(hash(person_id, commune_insee)), 0::UBIGINT) AS persons_hash
            FROM persons);

-- The tallies were counted with the former definition: they are no longer trusted (the fingerprint above differs
-- from the one they were saved with, and their state is cleared besides), so the indicators count from the rows
-- until store.db.migrate refills them after the last migration, with the fill queries of analytics/sql, which read
-- the macros above.
DELETE FROM attendance_tallies_state;
