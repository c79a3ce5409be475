-- Bodies of the catalogue that the database does not hold yet (existing rows keep their edits). By name: the
-- catalogue frame carries only the columns the table has (a file at an older schema version has fewer).
INSERT INTO bodies BY NAME
SELECT ref.*
FROM ref_bodies AS ref
ANTI JOIN bodies USING (code);
