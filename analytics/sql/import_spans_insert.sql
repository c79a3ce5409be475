-- The bounded rows of an import (staged: meeting_id, person_id, span, from_item, to_item, status, delegate_id).
INSERT INTO attendance_spans (meeting_id, person_id, span, from_item, to_item, status, delegate_id)
SELECT meeting_id::INTEGER, person_id::INTEGER, span::INTEGER, from_item::VARCHAR, to_item::VARCHAR,
       status::VARCHAR, delegate_id::INTEGER
FROM staged;
