-- Rows bounded to points (attendance_spans, migration 006) of one person handed to another person id, and the
-- proxies held and substitutions made in them (erasure: to the placeholder and back).
UPDATE attendance_spans
SET person_id = CASE WHEN person_id = $source_id THEN $target_id ELSE person_id END,
    delegate_id = CASE WHEN delegate_id = $source_id THEN $target_id ELSE delegate_id END
WHERE person_id = $source_id OR delegate_id = $source_id;
