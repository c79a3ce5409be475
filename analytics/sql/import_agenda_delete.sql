-- The stored agendas of the sittings an import gives an agenda for (staged: meeting_id): replaced whole.
DELETE FROM agenda_items
WHERE meeting_id IN (SELECT meeting_id::INTEGER FROM staged);
