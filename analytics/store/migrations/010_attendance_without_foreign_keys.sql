-- The sign-in table keeps its primary key, its NOT NULLs and its CHECKs, and loses its three foreign keys (issue 15).
-- DuckDB backs each foreign key with an ART index of its own on the referencing column, kept up to date at every
-- insert and written at every commit: for a million sign-ins (a sheet of several mandates), the two on sitting and
-- person took 0.66 s of the 1.05 s DuckDB spends writing the rows, more than reading and checking the whole file.
-- They did not guard what they seemed to: DuckDB checks a foreign key against the snapshot of the transaction that
-- writes, so a sign-in written while another transaction deletes its person still commits (measured on 2.0.0). What
-- holds the references instead: every write path takes its sittings and persons from the base inside its
-- transaction (the importer resolves each name and joins each row to its sitting; the form lists the members in
-- office); the erasure moves a person's rows, never deletes the person under them; `python -m analytics check`
-- counts orphan rows from the data (check_orphans.sql) and fails on any. The smaller tables that name sittings and
-- persons (memberships, bounded rows, replies) keep theirs.
-- DuckDB cannot drop a constraint: the table is rebuilt under its own name with the same columns, checks and rows
-- (as in migration 009); nothing references it, and the views and macros that read it are bound by name.
CREATE TEMP TABLE attendance_saved AS SELECT meeting_id, person_id, status, delegate_id FROM attendance;
DROP TABLE attendance;
CREATE TABLE attendance (
    meeting_id        INTEGER NOT NULL,
    person_id         INTEGER NOT NULL,
    status            VARCHAR NOT NULL
                      CHECK (status IN ('present', 'remote', 'excused', 'absent', 'proxy', 'substituted',
                                        'not_recorded')),
    -- proxy holder (status proxy; NULL when the minutes do not name one) or substitute (status substituted)
    delegate_id       INTEGER,
    PRIMARY KEY (meeting_id, person_id),
    CHECK (status <> 'substituted' OR delegate_id IS NOT NULL),
    CHECK (status IN ('proxy', 'substituted') OR delegate_id IS NULL),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);
INSERT INTO attendance SELECT * FROM attendance_saved ORDER BY meeting_id, person_id;
DROP TABLE attendance_saved;
