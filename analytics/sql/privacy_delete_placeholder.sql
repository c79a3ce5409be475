-- The temporary row of an erasure, once nothing refers to it any more. The key check makes sure that only a
-- placeholder can ever be deleted here.
DELETE FROM persons
WHERE person_id = $placeholder_id AND starts_with(match_key, 'effacé-en-cours|');
