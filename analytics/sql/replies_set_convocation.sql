-- The day the convocation of a sitting was sent, set (or cleared) from the replies form.
UPDATE meetings
SET convocation_date = $convocation
WHERE meeting_id = $meeting_id;
