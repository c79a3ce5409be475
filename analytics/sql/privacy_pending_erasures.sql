-- Erasures stopped between their transactions: each placeholder row and the person it stands for.
WITH placeholders AS (
    SELECT person_id AS placeholder_id, split_part(match_key, '|', 2)::INTEGER AS person_id
    FROM persons
    WHERE starts_with(match_key, 'effacé-en-cours|')
),
final AS (
    SELECT placeholder_id, person_id FROM placeholders
)
SELECT * FROM final ORDER BY placeholder_id;
