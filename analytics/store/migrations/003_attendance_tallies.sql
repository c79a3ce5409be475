-- Attendance counts kept pre-aggregated, so that the indicators (DESIGN.md §3) need not read every attendance row.
--
-- Three table macros define, once, who is convened (membership_segments, convened_meetings) and what was recorded
-- (recorded_convocations); the indicator queries and the refresh of the tallies read them. (Table macros rather
-- than views: they take the range of meeting dates, and they are not listed among the relations holding data.)
-- Two tables keep the convocations counted per meeting and per person, body and month; every path that writes
-- attendance, memberships, meetings or persons refreshes them in its own transaction (attendance.refresh_tallies).
-- They are only a cache: attendance_tallies_state keeps the fingerprint of the rows they were counted from, and
-- the indicators read them only while the view attendance_fingerprint gives the same values, counting from the
-- rows otherwise (after a change made outside the application: a SQL shell, a test).
--
-- Changing what the macros compute needs a later migration that replaces them and refills the tables.

-- Who sits in each body, period by period: the memberships of a body cut its time into segments (first_day to
-- last_day) during which its members do not change; one row per segment and member. A person with overlapping
-- memberships of a body (a change of role…) is listed once, so that a person is convened once per meeting.
CREATE MACRO membership_segments() AS TABLE
WITH open_memberships AS (
    SELECT person_id, body_code, start_date, coalesce(end_date, DATE '9999-12-31') AS end_date
    FROM memberships
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

-- Every held meeting from `since` to `until` with someone convened (convened: the members of its body in the
-- segment holding its date), with the number of communes convened (people with no commune stand for none).
CREATE MACRO convened_meetings(since := DATE '0001-01-01', until := DATE '9999-12-31') AS TABLE
WITH segment_sets AS (
    SELECT s.body_code, s.first_day, s.last_day, count(*) AS convened,
           count(DISTINCT p.commune_insee) AS communes_convened
    FROM membership_segments() AS s
    JOIN persons AS p USING (person_id)
    GROUP BY s.body_code, s.first_day, s.last_day
)
SELECT m.meeting_id, m.body_code, m.meeting_date, g.first_day, g.convened, g.communes_convened
FROM meetings AS m
JOIN segment_sets AS g ON g.body_code = m.body_code AND m.meeting_date BETWEEN g.first_day AND g.last_day
WHERE m.status = 'held' AND m.meeting_date BETWEEN since AND until;

-- The recorded statuses (all but not_recorded) of convened people at the held meetings from `since` to `until`, one
-- row per meeting and person. Rows of people not convened are left out; a convened person with no row here is
-- not_recorded.
CREATE MACRO recorded_convocations(since := DATE '0001-01-01', until := DATE '9999-12-31') AS TABLE
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
)
SELECT a.meeting_id, a.person_id, p.body_code, p.meeting_date, a.status
FROM attendance AS a
JOIN placed AS p USING (meeting_id)
-- the key mixes an attendance column and a meeting column: each attendance row finds its meeting, then is checked
-- against the small members table, rather than meetings being paired with all their members first
JOIN members AS m ON m.member_key = a.person_id::BIGINT * 1048576 + p.segment
WHERE a.status <> 'not_recorded';

-- What the tallies depend on: per table, its number of rows and the XOR of a 64-bit hash of the columns that
-- matter in each row (rows are unique, so none cancels another). An insert, update or delete of a row that
-- matters changes it, but for a hash collision.
CREATE VIEW attendance_fingerprint AS
SELECT *
FROM (SELECT count(*) AS attendance_rows,
             coalesce(bit_xor(hash(meeting_id, person_id, status)), 0::UBIGINT) AS attendance_hash
      FROM attendance)
CROSS JOIN (SELECT count(*) AS meetings_rows,
                   coalesce(bit_xor(hash(meeting_id, body_code, meeting_date, status)), 0::UBIGINT) AS meetings_hash
            FROM meetings)
CROSS JOIN (SELECT count(*) AS memberships_rows,
                   coalesce(bit_xor(hash(person_id, body_code, start_date, end_date)), 0::UBIGINT) AS memberships_hash
            FROM memberships)
CROSS JOIN (SELECT count(*) AS persons_rows,
                   coalesce(bit_xor(hash(person_id, commune_insee)), 0::UBIGINT) AS persons_hash
            FROM persons);

-- Convocations counted per held meeting: convened, each recorded status, and the communes convened and those
-- with a member present in the room or by video.
CREATE TABLE attendance_meeting_tallies (
    meeting_id        INTEGER NOT NULL,
    body_code         VARCHAR NOT NULL,
    meeting_date      DATE NOT NULL,
    convened          INTEGER NOT NULL,
    present           INTEGER NOT NULL,
    remote            INTEGER NOT NULL,
    excused           INTEGER NOT NULL,
    absent            INTEGER NOT NULL,
    proxy             INTEGER NOT NULL,
    substituted       INTEGER NOT NULL,
    communes_convened INTEGER NOT NULL,
    communes_represented INTEGER NOT NULL
);

-- Convocations counted per person, body and calendar month (month: its first day).
CREATE TABLE attendance_month_tallies (
    person_id         INTEGER NOT NULL,
    body_code         VARCHAR NOT NULL,
    month             DATE NOT NULL,
    convened          INTEGER NOT NULL,
    present           INTEGER NOT NULL,
    remote            INTEGER NOT NULL,
    excused           INTEGER NOT NULL,
    absent            INTEGER NOT NULL,
    proxy             INTEGER NOT NULL,
    substituted       INTEGER NOT NULL
);

-- The fingerprint of the rows the tallies were counted from (one row).
CREATE TABLE attendance_tallies_state (
    attendance_rows   BIGINT NOT NULL,
    attendance_hash   UBIGINT NOT NULL,
    meetings_rows     BIGINT NOT NULL,
    meetings_hash     UBIGINT NOT NULL,
    memberships_rows  BIGINT NOT NULL,
    memberships_hash  UBIGINT NOT NULL,
    persons_rows      BIGINT NOT NULL,
    persons_hash      UBIGINT NOT NULL,
    refreshed_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- The tables are filled by store.db.migrate once every migration has run (store.tallies.refresh_tallies), with the
-- queries of analytics/sql: a migration does not keep its own copy of them.
