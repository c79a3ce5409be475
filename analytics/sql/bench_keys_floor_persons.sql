-- The persons the rows of the keys floor reference. $1: how many.
INSERT INTO persons SELECT range + 1 FROM range($1)
