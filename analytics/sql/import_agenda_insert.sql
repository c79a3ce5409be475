-- The agendas of an import (staged: meeting_id, position, item, title), positions in natural order.
INSERT INTO agenda_items (meeting_id, position, item, title)
SELECT meeting_id::INTEGER, position::INTEGER, item::VARCHAR, title::VARCHAR
FROM staged;
