-- Replies to convocations of one person handed to another person id (erasure: to the placeholder and back).
UPDATE replies SET person_id = $target_id WHERE person_id = $source_id;
