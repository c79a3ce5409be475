-- The erased person's match key: "effacé|<id>", which no import row can match (folded keys have no accent),
-- so a later import of the same name creates a new person rather than reviving this one. A key already
-- replaced is left alone: when an erasure is resumed, the row may be referenced again, and DuckDB refuses even a
-- same-value write to an indexed column of a referenced row.
UPDATE persons
SET match_key = 'effacé|' || person_id::VARCHAR
WHERE person_id = $person_id AND match_key <> 'effacé|' || person_id::VARCHAR;
