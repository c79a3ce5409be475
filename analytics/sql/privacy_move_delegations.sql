-- Proxies held and substitutions made by one person handed to another person id (erasure: to the placeholder
-- and back).
UPDATE attendance SET delegate_id = $target_id WHERE delegate_id = $source_id;
