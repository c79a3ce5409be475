-- How the scrubs of an erasure recognise a stored text that names the erased person (temporary macros, for the
-- erasure's own cursor). Texts and names are compared folded: lower case, without accents, every run of
-- characters other than letters (spaces, punctuation, digits, "_" of a file name) read as one space. A text names
-- the person when it holds:
--   * the whole last name as words: "DUPONT.csv", "courrier_dupont_2024", "Le-Goff" for Le Goff;
--   * or a word of the last name of four letters or more, alone: "Goff" for Le Goff, "Martin" for Saint-Martin;
--   * or the first and last names glued together, in either order: "AnneDupont", "dupont-anne".
-- A last name inside a longer word ("Martinez" for Martin, "petite" for Petit) is another word and stays, and so
-- does the first name alone: other people bear it, and the texts that hold it are theirs too.
CREATE OR REPLACE TEMP MACRO privacy_words(value) AS
    ' ' || trim(regexp_replace(strip_accents(lower(value)), '[^\p{L}]+', ' ', 'g')) || ' ';
CREATE OR REPLACE TEMP MACRO privacy_letters(value) AS replace(privacy_words(value), ' ', '');
CREATE OR REPLACE TEMP MACRO privacy_names(value, last_name, first_name) AS coalesce(
    (privacy_letters(last_name) <> '' AND contains(privacy_words(value), privacy_words(last_name)))
    OR len(list_filter(string_split(trim(privacy_words(last_name)), ' '),
                       lambda part: length(part) >= 4 AND contains(privacy_words(value), ' ' || part || ' '))) > 0
    OR (privacy_letters(first_name) <> '' AND privacy_letters(last_name) <> ''
        AND (contains(privacy_letters(value), privacy_letters(first_name) || privacy_letters(last_name))
             OR contains(privacy_letters(value), privacy_letters(last_name) || privacy_letters(first_name)))),
    false);
