-- Refresh of the pre-aggregated tallies after a write of a few sittings, last step: the convocations kept aside by
-- attendance_tallies_touched_convocations are dropped once counted.
DROP TABLE touched_convocations
