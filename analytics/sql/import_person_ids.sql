-- Reserve ids for the new persons of an import.
SELECT nextval('person_id_seq') AS person_id FROM range($1);
