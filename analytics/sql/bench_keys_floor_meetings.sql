-- The sittings the rows of the keys floor reference. $1: how many.
INSERT INTO meetings SELECT range + 1 FROM range($1)
