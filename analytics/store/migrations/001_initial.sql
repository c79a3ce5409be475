-- Initial schema. Every enumeration is a CHECK so that no path (import, form, SQL shell) can store
-- a value the indicators do not know. Codes are English; French labels live in analytics/labels.py.

CREATE TABLE communes (
    insee             VARCHAR PRIMARY KEY CHECK (regexp_full_match(insee, '[0-9]{2}[0-9AB][0-9]{2}')),
    name              VARCHAR NOT NULL UNIQUE CHECK (trim(name) <> ''),
    population_2019   INTEGER NOT NULL CHECK (population_2019 >= 0),
    population_2022   INTEGER NOT NULL CHECK (population_2022 >= 0),
    population_2025   INTEGER NOT NULL CHECK (population_2025 >= 0),
    council_size      INTEGER NOT NULL CHECK (council_size BETWEEN 7 AND 69),
    lat               DOUBLE NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon               DOUBLE NOT NULL CHECK (lon BETWEEN -180 AND 180),
    sector            VARCHAR NOT NULL CHECK (sector IN ('Centre', 'Nord', 'Sud'))
);

CREATE TABLE bodies (
    code              VARCHAR PRIMARY KEY CHECK (regexp_full_match(code, '[a-z][a-z0-9_]*')),
    name              VARCHAR NOT NULL UNIQUE CHECK (trim(name) <> ''),
    family            VARCHAR NOT NULL
                      CHECK (family IN ('decision', 'validation', 'co_construction', 'information')),
    cadence_rule      VARCHAR NOT NULL
                      CHECK (cadence_rule IN ('monthly', 'bimonthly', 'quarterly', 'min_per_year',
                                              'avg_every_months', 'alternating', 'on_demand')),
    cadence_n         INTEGER CHECK (cadence_n IS NULL OR cadence_n > 0),
    cadence_phase     VARCHAR CHECK (cadence_phase IS NULL OR cadence_phase IN ('odd', 'even')),
    alternates_with   VARCHAR,
    legal_floor       VARCHAR CHECK (legal_floor IS NULL OR legal_floor = 'quarterly'),
    required_rate     DOUBLE CHECK (required_rate IS NULL OR required_rate BETWEEN 0 AND 1),
    sector            VARCHAR CHECK (sector IS NULL OR sector IN ('Centre', 'Nord', 'Sud')),
    project_start     DATE,
    project_end       DATE,
    sort_order        INTEGER NOT NULL DEFAULT 0,
    CHECK ((cadence_rule IN ('min_per_year', 'avg_every_months')) = (cadence_n IS NOT NULL)),
    CHECK ((cadence_rule = 'alternating') = (cadence_phase IS NOT NULL)),
    CHECK (project_end IS NULL OR project_start IS NULL OR project_end >= project_start)
);

CREATE SEQUENCE person_id_seq START 1;
CREATE TABLE persons (
    person_id         INTEGER PRIMARY KEY DEFAULT nextval('person_id_seq'),
    last_name         VARCHAR NOT NULL CHECK (trim(last_name) <> ''),
    first_name        VARCHAR NOT NULL CHECK (trim(first_name) <> ''),
    commune_insee     VARCHAR REFERENCES communes (insee),
    -- accent- and case-folded "last|first|insee": the identity used to match import rows
    match_key         VARCHAR NOT NULL UNIQUE
);

CREATE SEQUENCE membership_id_seq START 1;
CREATE TABLE memberships (
    membership_id     INTEGER PRIMARY KEY DEFAULT nextval('membership_id_seq'),
    person_id         INTEGER NOT NULL REFERENCES persons (person_id),
    body_code         VARCHAR NOT NULL REFERENCES bodies (code),
    role              VARCHAR NOT NULL
                      CHECK (role IN ('president', 'vice_president', 'delegate', 'councillor', 'substitute',
                                      'special_adviser', 'mayor', 'municipal_councillor', 'dgs', 'director',
                                      'staff', 'development_council', 'partner', 'pilot', 'member')),
    rank              INTEGER CHECK (rank IS NULL OR rank > 0),
    start_date        DATE NOT NULL,
    end_date          DATE CHECK (end_date IS NULL OR end_date >= start_date),
    UNIQUE (person_id, body_code, start_date)
);

CREATE SEQUENCE meeting_id_seq START 1;
CREATE TABLE meetings (
    meeting_id        INTEGER PRIMARY KEY DEFAULT nextval('meeting_id_seq'),
    body_code         VARCHAR NOT NULL REFERENCES bodies (code),
    meeting_date      DATE NOT NULL,
    status            VARCHAR NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'cancelled', 'planned')),
    format            VARCHAR NOT NULL DEFAULT 'in_person' CHECK (format IN ('in_person', 'video', 'mixed')),
    meeting_type      VARCHAR NOT NULL DEFAULT 'ordinary'
                      CHECK (meeting_type IN ('ordinary', 'requested', 'reconvened')),
    -- number of mayors who asked for a requested conférence des maires
    requesters        INTEGER CHECK (requesters IS NULL OR requesters >= 0),
    -- the commune met, for the rencontres avec les conseils municipaux
    commune_insee     VARCHAR REFERENCES communes (insee),
    -- attendees counted but not named (Vœux au monde économique)
    headcount         INTEGER CHECK (headcount IS NULL OR headcount >= 0),
    UNIQUE (body_code, meeting_date),
    CHECK (requesters IS NULL OR meeting_type = 'requested')
);

CREATE TABLE attendance (
    meeting_id        INTEGER NOT NULL REFERENCES meetings (meeting_id),
    person_id         INTEGER NOT NULL REFERENCES persons (person_id),
    status            VARCHAR NOT NULL
                      CHECK (status IN ('present', 'remote', 'excused', 'absent', 'proxy', 'substituted',
                                        'not_recorded')),
    -- proxy holder (status proxy) or substitute (status substituted): always a known person
    delegate_id       INTEGER REFERENCES persons (person_id),
    PRIMARY KEY (meeting_id, person_id),
    CHECK ((status IN ('proxy', 'substituted')) = (delegate_id IS NOT NULL)),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);

CREATE SEQUENCE import_id_seq START 1;
CREATE TABLE import_log (
    import_id         INTEGER PRIMARY KEY DEFAULT nextval('import_id_seq'),
    imported_at       TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    username          VARCHAR NOT NULL,
    source            VARCHAR NOT NULL CHECK (source IN ('cli', 'demo', 'ui')),
    file_names        VARCHAR NOT NULL,
    rows_added        INTEGER NOT NULL CHECK (rows_added >= 0),
    rows_updated      INTEGER NOT NULL CHECK (rows_updated >= 0),
    rows_unchanged    INTEGER NOT NULL CHECK (rows_unchanged >= 0)
);

-- One row per changed value: what was there, what replaced it, who did it and when.
CREATE SEQUENCE change_id_seq START 1;
CREATE TABLE change_log (
    change_id         INTEGER PRIMARY KEY DEFAULT nextval('change_id_seq'),
    import_id         INTEGER REFERENCES import_log (import_id),
    changed_at        TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    username          VARCHAR NOT NULL,
    table_name        VARCHAR NOT NULL,
    row_key           VARCHAR NOT NULL,
    column_name       VARCHAR NOT NULL,
    old_value         VARCHAR,
    new_value         VARCHAR
);
