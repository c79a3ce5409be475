-- Memberships whose role, rank or end date an import changed.
UPDATE memberships AS m
SET role = s.role, rank = s.rank, end_date = s.end_date
FROM staged AS s
WHERE m.membership_id = s.membership_id;
