-- The audit trail: who logged in (or failed to), who was refused what, and who ran a sensitive act (import,
-- meeting record, named export, backup, restore, erasure of a person, change of a user account).
-- The data changes themselves are already traced value by value in change_log and import_log.
--
-- The growing delay after failed logins is computed from the 'login_failed' and 'login' rows of this table,
-- so it survives a restart of the dashboard without a table of its own.
-- "at" is a reserved word in DuckDB 2.0: the time column is logged_at, like imported_at and changed_at.

CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_events (
    id                INTEGER PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    logged_at         TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    username          VARCHAR NOT NULL,
    event             VARCHAR NOT NULL
                      CHECK (event IN ('login', 'login_failed', 'logout', 'refused', 'import', 'record_meeting',
                                       'export_named', 'backup', 'restore', 'erase_person', 'user_change')),
    detail            VARCHAR
);
