-- Persons whose name contains the searched text ($text, already folded by analytics.text.fold), in either
-- order "nom prénom" or "prénom nom". The match key is "<folded last>|<folded first>|<insee>", folded by the
-- same function, so case, accents and repeated spaces never matter. Erased persons have no name left to find;
-- their keys start with "effacé", which no folded key can (folding removes accents).
WITH named AS (
    SELECT person_id, last_name, first_name, commune_insee,
           split_part(match_key, '|', 1) || ' ' || split_part(match_key, '|', 2) AS last_first,
           split_part(match_key, '|', 2) || ' ' || split_part(match_key, '|', 1) AS first_last
    FROM persons
    WHERE NOT starts_with(match_key, 'effacé')
),
matches AS (
    SELECT * FROM named WHERE contains(last_first, $text) OR contains(first_last, $text)
),
final AS (
    SELECT m.person_id, m.last_name, m.first_name, m.commune_insee, c.name AS commune_name,
           (SELECT count(*) FROM memberships AS ms WHERE ms.person_id = m.person_id) AS memberships,
           (SELECT count(*) FROM attendance AS a WHERE a.person_id = m.person_id) AS attendance_rows
    FROM matches AS m
    LEFT JOIN communes AS c ON c.insee = m.commune_insee
)
SELECT * FROM final ORDER BY last_name, first_name, person_id;
