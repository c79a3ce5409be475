-- A proxy whose holder the minutes do not name (issue 13: « M. X a donné pouvoir » with no holder) is stored as a
-- proxy without holder: the proxy limit cannot be checked for it, and the fiche says so. A substitution still names
-- its substitute (the substitute sits and has their own row). DuckDB cannot drop a CHECK constraint, so both tables
-- are rebuilt with the same columns, keys and rows, under their own names (a renamed table would leave its old name
-- in the foreign keys of persons and meetings); nothing references them, and the views and macros that read them are
-- bound by name.
CREATE TEMP TABLE attendance_saved AS SELECT meeting_id, person_id, status, delegate_id FROM attendance;
DROP TABLE attendance;
CREATE TABLE attendance (
    meeting_id        INTEGER NOT NULL REFERENCES meetings (meeting_id),
    person_id         INTEGER NOT NULL REFERENCES persons (person_id),
    status            VARCHAR NOT NULL
                      CHECK (status IN ('present', 'remote', 'excused', 'absent', 'proxy', 'substituted',
                                        'not_recorded')),
    -- proxy holder (status proxy; NULL when the minutes do not name one) or substitute (status substituted)
    delegate_id       INTEGER REFERENCES persons (person_id),
    PRIMARY KEY (meeting_id, person_id),
    CHECK (status <> 'substituted' OR delegate_id IS NOT NULL),
    CHECK (status IN ('proxy', 'substituted') OR delegate_id IS NULL),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);
INSERT INTO attendance SELECT * FROM attendance_saved;
DROP TABLE attendance_saved;

CREATE TEMP TABLE spans_saved AS
SELECT meeting_id, person_id, span, from_item, to_item, status, delegate_id FROM attendance_spans;
DROP TABLE attendance_spans;
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
    CHECK (status <> 'substituted' OR delegate_id IS NOT NULL),
    CHECK (status IN ('proxy', 'substituted') OR delegate_id IS NULL),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);
INSERT INTO attendance_spans SELECT * FROM spans_saved;
DROP TABLE spans_saved;
