"""A small governance year (2024) written with plain INSERTs, small enough to compute every indicator by hand.

People (commune, sector):
  1 DUPONT Anne     Mulhouse 68224 (Centre)     conseil; bureau twice (member to 2024-03-31, vice-president
                                                from 2024-03-01: overlapping, convened once); forum
  2 MARTIN Luc      Kingersheim 68166 (Centre)  conseil; bureau
  3 BERNARD Marie   Wittenheim 68376 (Nord)     conseil until 2024-04-12 (ends mid-year)
  4 PETIT Paul      Rixheim 68278 (Sud)         conseil; bureau
  5 ROUX Claire     no commune                  forum
  6 LEROY Jean      Rixheim 68278 (Sud)         conseil as substitute (not in office; convened only at C2,
                                                where he sits for PETIT)
  7 ÉTIENNE Zoé     Wittenheim 68376 (Nord)     forum, never has an attendance row

Required presence rates: conseil 0.75, bureau 0.75, forum none (set by build, not read from the catalogue).

Meetings and statuses (— = no attendance row, i.e. not_recorded):

  conseil       C1 01-15  C2 02-29  C3 04-10  C4 04-15 reconvened   C5 05-20 cancelled   C6 12-10 planned
  1 DUPONT      present   present   present   present               (present: ignored)
  2 MARTIN      proxy→1   present   proxy→1   absent
  3 BERNARD     absent    present   absent    (present: ignored, membership over)
  4 PETIT       remote    subst.→6  proxy→1   absent
  6 LEROY       —         present   —         —

  bureau        B1 01-08  B2 02-05  B3 03-04  B4 04-08  B5 05-06  B6 06-03  B7 07-01
  1 DUPONT      present   absent    absent    —         absent    present   present
  2 MARTIN      absent    absent    excused   absent    absent    present   not_recorded (explicit row)
  4 PETIT       present   remote    present   present   excused   present   present

  forum         F1 03-15  F2 06-14
  1 DUPONT      present   —
  5 ROUX        present   —
  7 ÉTIENNE     —         —
"""

from __future__ import annotations

from datetime import date

import duckdb

from analytics.wording.text import person_key

REQUIRED_RATES = {"conseil": 0.75, "bureau": 0.75, "forum": None}

PEOPLE = {
    1: ("Dupont", "Anne", "68224"),
    2: ("Martin", "Luc", "68166"),
    3: ("Bernard", "Marie", "68376"),
    4: ("Petit", "Paul", "68278"),
    5: ("Roux", "Claire", None),
    6: ("Leroy", "Jean", "68278"),
    7: ("Étienne", "Zoé", "68376"),
}

MEMBERSHIPS = [
    # person, body, role, start, end
    (1, "conseil", "councillor", "2023-07-01", None),
    (2, "conseil", "councillor", "2023-07-01", None),
    (3, "conseil", "councillor", "2023-07-01", "2024-04-12"),
    (4, "conseil", "councillor", "2023-07-01", None),
    (6, "conseil", "substitute", "2023-07-01", None),
    (1, "bureau", "member", "2023-07-01", "2024-03-31"),
    (1, "bureau", "vice_president", "2024-03-01", None),
    (2, "bureau", "vice_president", "2023-07-01", None),
    (4, "bureau", "delegate", "2023-07-01", None),
    (1, "forum", "councillor", "2023-07-01", None),
    (5, "forum", "development_council", "2023-07-01", None),
    (7, "forum", "municipal_councillor", "2023-07-01", None),
]

MEETINGS = {
    # id: (name, body, date, status, type)
    1: ("C1", "conseil", "2024-01-15", "held", "ordinary"),
    2: ("C2", "conseil", "2024-02-29", "held", "ordinary"),
    3: ("C3", "conseil", "2024-04-10", "held", "ordinary"),
    4: ("C4", "conseil", "2024-04-15", "held", "reconvened"),
    5: ("C5", "conseil", "2024-05-20", "cancelled", "ordinary"),
    6: ("C6", "conseil", "2024-12-10", "planned", "ordinary"),
    11: ("B1", "bureau", "2024-01-08", "held", "ordinary"),
    12: ("B2", "bureau", "2024-02-05", "held", "ordinary"),
    13: ("B3", "bureau", "2024-03-04", "held", "ordinary"),
    14: ("B4", "bureau", "2024-04-08", "held", "ordinary"),
    15: ("B5", "bureau", "2024-05-06", "held", "ordinary"),
    16: ("B6", "bureau", "2024-06-03", "held", "ordinary"),
    17: ("B7", "bureau", "2024-07-01", "held", "ordinary"),
    21: ("F1", "forum", "2024-03-15", "held", "ordinary"),
    22: ("F2", "forum", "2024-06-14", "held", "ordinary"),
}

ATTENDANCE = [
    # meeting name, person, status, delegate
    ("C1", 1, "present", None), ("C1", 2, "proxy", 1), ("C1", 3, "absent", None), ("C1", 4, "remote", None),
    ("C2", 1, "present", None), ("C2", 2, "present", None), ("C2", 3, "present", None),
    ("C2", 4, "substituted", 6), ("C2", 6, "present", None),
    ("C3", 1, "present", None), ("C3", 2, "proxy", 1), ("C3", 3, "absent", None), ("C3", 4, "proxy", 1),
    ("C4", 1, "present", None), ("C4", 2, "absent", None), ("C4", 3, "present", None), ("C4", 4, "absent", None),
    ("C5", 1, "present", None),
    ("B1", 1, "present", None), ("B1", 2, "absent", None), ("B1", 4, "present", None),
    ("B2", 1, "absent", None), ("B2", 2, "absent", None), ("B2", 4, "remote", None),
    ("B3", 1, "absent", None), ("B3", 2, "excused", None), ("B3", 4, "present", None),
    ("B4", 2, "absent", None), ("B4", 4, "present", None),
    ("B5", 1, "absent", None), ("B5", 2, "absent", None), ("B5", 4, "excused", None),
    ("B6", 1, "present", None), ("B6", 2, "present", None), ("B6", 4, "present", None),
    ("B7", 1, "present", None), ("B7", 2, "not_recorded", None), ("B7", 4, "present", None),
    ("F1", 1, "present", None), ("F1", 5, "present", None),
]


def build(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Insert the fixture into a fresh database (communes and bodies already loaded); return the ids by name."""
    cur = conn.cursor()
    # the thresholds the expected values rely on, whatever the catalogue in data/bodies.toml says today
    for body, rate in REQUIRED_RATES.items():
        cur.execute("UPDATE bodies SET required_rate = ? WHERE code = ?", [rate, body])
    for person_id, (last, first, insee) in PEOPLE.items():
        cur.execute(
            "INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) VALUES (?, ?, ?, ?, ?)",
            [person_id, last, first, insee, person_key(last, first, insee)],
        )
    for person_id, body, role, start, end in MEMBERSHIPS:
        cur.execute(
            "INSERT INTO memberships (person_id, body_code, role, start_date, end_date) VALUES (?, ?, ?, ?, ?)",
            [person_id, body, role, date.fromisoformat(start), end and date.fromisoformat(end)],
        )
    ids = {}
    for meeting_id, (name, body, day, status, kind) in MEETINGS.items():
        cur.execute(
            "INSERT INTO meetings (meeting_id, body_code, meeting_date, status, meeting_type) VALUES (?, ?, ?, ?, ?)",
            [meeting_id, body, date.fromisoformat(day), status, kind],
        )
        ids[name] = meeting_id
    for name, person_id, status, delegate in ATTENDANCE:
        cur.execute(
            "INSERT INTO attendance (meeting_id, person_id, status, delegate_id) VALUES (?, ?, ?, ?)",
            [ids[name], person_id, status, delegate],
        )
    ids.update({"dupont": 1, "martin": 2, "bernard": 3, "petit": 4, "roux": 5, "leroy": 6, "etienne": 7})
    return ids
