-- A second floor of the import benchmark: a base of its own with the keys of the sign-in table (a primary key on
-- sitting and person, foreign keys to sittings and persons, the holder's too), to time DuckDB itself writing a
-- million resolved rows into it.
CREATE TABLE meetings (meeting_id INTEGER PRIMARY KEY);
CREATE TABLE persons (person_id INTEGER PRIMARY KEY);
CREATE TABLE attendance (
    meeting_id  INTEGER NOT NULL REFERENCES meetings (meeting_id),
    person_id   INTEGER NOT NULL REFERENCES persons (person_id),
    status      VARCHAR NOT NULL,
    delegate_id INTEGER REFERENCES persons (person_id),
    PRIMARY KEY (meeting_id, person_id)
);
