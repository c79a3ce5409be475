-- Before the sitting (DESIGN.md §4 and §5c, issue 14): the date a convocation was sent, the legal delay of a body,
-- and each convened member's reply.
--
-- 1. meetings.convocation_date: the day the convocation of the sitting was sent (NULL: not known). The alert
--    convocation_late compares it with the body's delay in clear days (jours francs, analytics/rules/forecast.py).
-- 2. bodies.convocation_delay: the legal delay of the body's convocations in clear days, NULL for none. The Conseil
--    has 5 (CGCT L2121-12 through L5211-1); data/bodies.toml carries it (key « delai_convocation »), and the
--    catalogue loader validates it (ALTER TABLE cannot add a CHECK in DuckDB).
-- 3. replies: one row per sitting and convened member who answered the convocation: will come (present), by
--    video (remote), excused, gives a proxy to a named member (delegate_id), replaced by the substitute of the
--    commune (delegate_id when known). Replies are kept after the sitting: the forecast measures on them how often
--    a reply is kept. Nothing here enters the attendance counts, so the tallies and their fingerprint are unchanged.

ALTER TABLE meetings ADD COLUMN convocation_date DATE;

ALTER TABLE bodies ADD COLUMN convocation_delay INTEGER;

-- Databases created before this migration keep their bodies (the catalogue loader only inserts missing ones): give
-- the Conseil the delay data/bodies.toml carries. A new database has no body yet here; the loader inserts it then.
UPDATE bodies SET convocation_delay = 5 WHERE code = 'conseil';

CREATE TABLE replies (
    meeting_id        INTEGER NOT NULL REFERENCES meetings (meeting_id),
    person_id         INTEGER NOT NULL REFERENCES persons (person_id),
    reply             VARCHAR NOT NULL CHECK (reply IN ('present', 'remote', 'excused', 'proxy', 'substitute')),
    -- the member who will hold the proxy (reply proxy, required) or the substitute who will sit (reply
    -- substitute, when named)
    delegate_id       INTEGER REFERENCES persons (person_id),
    PRIMARY KEY (meeting_id, person_id),
    CHECK (reply IN ('proxy', 'substitute') OR delegate_id IS NULL),
    CHECK (reply <> 'proxy' OR delegate_id IS NOT NULL),
    CHECK (delegate_id IS NULL OR delegate_id <> person_id)
);
