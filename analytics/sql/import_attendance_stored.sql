-- The stored sitting-level rows of some persons and sittings (staged: meeting_id, person_id): an import whose
-- bounded rows change while the sitting-level status stays counts them as updated, not unchanged.
WITH final AS (
    SELECT a.meeting_id, a.person_id, a.status, a.delegate_id
    FROM attendance AS a
    JOIN staged AS k ON k.meeting_id::INTEGER = a.meeting_id AND k.person_id::INTEGER = a.person_id
)
SELECT * FROM final
