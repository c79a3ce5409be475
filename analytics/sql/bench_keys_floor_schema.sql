-- A second floor of the import benchmark: a base of its own with the keys and checks of the sign-in table (a
-- primary key on sitting and person, the checks of migration 010), to time DuckDB itself writing a million
-- resolved rows into it.
CREATE TABLE attendance (
    meeting_id  INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    status      VARCHAR NOT NULL
                CHECK (status IN ('present', 'remote', 'excused', 'absent', 'proxy', 'substituted', 'not_recorded')),
    delegate_id INTEGER,
    PRIMARY KEY (meeting_id, person_id),
    CHECK (status <> 'substituted' OR delegate_id IS NOT NULL),
    CHECK (status IN ('proxy', 'substituted') OR delegate_id IS NULL),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);
