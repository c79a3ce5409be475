-- File names of the import log that name the erased person (privacy_names, see privacy_scrub_macros) are
-- replaced: a file is sometimes named after the person it concerns ("courrier DUPONT.csv").
UPDATE import_log
SET file_names = '[noms de fichiers effacés]'
WHERE privacy_names(file_names, $last_name, $first_name);
