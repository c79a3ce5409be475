-- The fingerprint of the tallies after a write of a few sittings (store.tallies): its attendance and meetings parts
-- replaced, its memberships and persons parts kept (the write did not change them).
UPDATE attendance_tallies_state
SET attendance_rows = $attendance_rows, attendance_hash = $attendance_hash, meetings_rows = $meetings_rows,
    meetings_hash = $meetings_hash, refreshed_at = current_localtimestamp()
