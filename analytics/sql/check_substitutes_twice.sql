-- A substitute named on the 'substituted' rows of two titulars at one meeting: the import and the form refuse it
-- (a substitute replaces one titular). One row per meeting and substitute; `total` is their number, the rows
-- being cut to $limit.
WITH twice AS (
    SELECT a.meeting_id, m.body_code, m.meeting_date, a.delegate_id, count(*) AS titulars
    FROM attendance AS a
    JOIN meetings AS m USING (meeting_id)
    WHERE a.status = 'substituted'
    GROUP BY ALL
    HAVING count(*) > 1
),
final AS (
    SELECT *, count(*) OVER () AS total FROM twice
)
SELECT * FROM final
ORDER BY meeting_date, body_code, delegate_id
LIMIT $limit
