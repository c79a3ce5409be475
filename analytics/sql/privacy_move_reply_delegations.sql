-- Proxies announced to and substitutions announced with one person, in replies to convocations, handed to another
-- person id (erasure: to the placeholder and back).
UPDATE replies SET delegate_id = $target_id WHERE delegate_id = $source_id;
