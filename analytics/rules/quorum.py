"""Checks of the law on sittings (DESIGN.md §4): the quorum of the Conseil and the one-proxy limit."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.rules.attendance import with_display_name
from analytics.store.sql import query

# The body whose sittings need a quorum: the Conseil d'Agglomération, the deliberative assembly.
QUORUM_BODY = "conseil"


def quorum(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Quorum of every held sitting of the Conseil in [start, end]: in office, present, required, reached, margin,
    exempt (DESIGN.md §4, analytics/sql/quorum_quorum.sql).

    present counts the seats occupied by members in office: in person; by video only at a sitting whose format is
    video or mixed; through the substitute who sits for a `substituted` titular (once per seat; the substitute is not
    in office). Proxies never count. At a sitting with an agenda these are the opening's figures, who was there at
    its first point (rules/agenda.py item_quorum gives every point). required = in_office // 2 + 1 (more than
    half). exempt: a reconvened sitting held at least 3 days after the previous held sitting of the Conseil (looked
    for before `start` too), when that one failed its quorum (needed one and fell short); after a sitting that
    reached its quorum, or sooner than 3 days, a reconvened sitting needs its quorum like any other.
    """
    cur = conn.cursor()
    return cur.execute(query("quorum_quorum"), {"body": QUORUM_BODY, "start": start, "end": end}).df()


def proxy_overload(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Members holding more than one proxy at a held meeting of any body in [start, end].

    At a sitting with an agenda the proxies are counted point by point (DESIGN.md §3: a proxy may start at a
    point); `item` is the first point where the holder holds more than one when one of them is bounded to a range
    of points, None when the overload holds for the whole sitting."""
    cur = conn.cursor()
    rows = cur.execute(query("quorum_proxy_overload"), {"start": start, "end": end}).df()
    named = with_display_name(rows, to="holder_name")
    named["item"] = named["item"].astype(object).where(named["item"].notna(), None)
    return named[["meeting_id", "body_code", "body_name", "meeting_date", "holder_id", "holder_name", "proxies",
                  "item"]]
