"""The Élus page: people's attendance as quartile bands (never a league table), their alerts, and one person's
record — every meeting they were convened to, their status and the evidence behind it.

Nobody with fewer than MIN_RECORDED recorded convocations is placed in a band: too few sittings say nothing.
The people table is in alphabetical order; the bands compare a person with the group shown, not with a rank.
"""

from __future__ import annotations

from datetime import date
from html import escape

import duckdb
import pandas as pd

from analytics.rules import agenda, attendance
from analytics.store.sql import query
from analytics.wording.display import plural, short_date, weekday_date
from analytics.wording.format import number, percent
from analytics.wording.labels import (
    ALERT_GRAVITY,
    ALERT_KIND,
    ATTENDANCE_STATUS,
    GRAVITY_WORD,
    MEETING_FORMAT,
    MEETING_TYPE,
    ROLE,
)
from analytics.wording.text import display_name, fold

MIN_RECORDED = attendance.MIN_RECORDED
MIN_PEOPLE_FOR_BANDS = 4
BANDS = ("quart inférieur", "2e quart", "3e quart", "quart supérieur")
UNRANKED = "non classé"  # under MIN_RECORDED recorded convocations: the page's captions say so
# roles by seniority: a person's main role is the first they hold
ROLE_ORDER = ["president", "vice_president", "special_adviser", "delegate", "councillor", "mayor", "substitute",
              "municipal_councillor", "dgs", "director", "staff", "pilot", "development_council", "partner", "member"]
ALL = "Toutes"
NO_COMMUNE = "m2A et partenaires"
# attendance statuses in the order the charts stack and the legends read
STATUS_ORDER = {code: ATTENDANCE_STATUS[code] for code in
                ("present", "remote", "proxy", "substituted", "excused", "absent", "not_recorded")}


def persons(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every person with a unique selector label "NOM Prénom (Commune)", in alphabetical order."""
    frame = conn.cursor().execute(query("people_persons")).df()
    frame["name"] = [display_name(last, first) for last, first in zip(frame["last_name"], frame["first_name"])]
    frame["label"] = [f"{name} ({commune if isinstance(commune, str) else NO_COMMUNE})"
                      for name, commune in zip(frame["name"], frame["commune_name"])]
    # two homonyms of the same commune cannot exist (the import identity), but keep labels unique anyway
    duplicated = frame["label"].duplicated(keep=False)
    frame.loc[duplicated, "label"] = frame.loc[duplicated, "label"] + " n° " + frame.loc[duplicated,
                                                                                       "person_id"].astype(str)
    frame["sort_key"] = frame["label"].map(fold)
    return frame.sort_values("sort_key").drop(columns="sort_key").reset_index(drop=True)


def role_options() -> list[str]:
    """The role filter's choices (French, by seniority), "Toutes" first."""
    return [ALL, *[ROLE[code] for code in ROLE_ORDER]]


def role_code(label: str | None) -> str | None:
    return next((code for code, text in ROLE.items() if text == label), None)


def _roles(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    return conn.cursor().execute(query("people_memberships"), {"start": start, "end": end}).df()


def _roles_text(roles: pd.Series) -> str:
    """"vice-président, maire": the distinct roles by seniority, the plain "membre" only when nothing else."""
    distinct = list(dict.fromkeys(roles))
    shown = [code for code in distinct if code != "member"] or distinct
    return ", ".join(ROLE[code] for code in shown)


def quartiles(rates: pd.Series) -> tuple[float, float, float] | None:
    """Q1, median and Q3 of the rates, or None with fewer than MIN_PEOPLE_FOR_BANDS people."""
    rates = rates.dropna()
    if len(rates) < MIN_PEOPLE_FOR_BANDS:
        return None
    q1, median, q3 = rates.quantile([0.25, 0.5, 0.75]).tolist()
    return float(q1), float(median), float(q3)


def band(rate: float | None, recorded: int, cuts: tuple[float, float, float] | None) -> str:
    """The quartile band of one rate among the group's cuts; UNRANKED under MIN_RECORDED recorded convocations."""
    if recorded < MIN_RECORDED or cuts is None or rate is None or pd.isna(rate):
        return UNRANKED
    q1, median, q3 = cuts
    if rate >= q3:
        return BANDS[3]
    if rate >= median:
        return BANDS[2]
    if rate >= q1:
        return BANDS[1]
    return BANDS[0]


def directory(conn: duckdb.DuckDBPyConnection, start: date, end: date, *, sector: str | None = None,
              body: str | None = None, commune: str | None = None, role: str | None = None) -> pd.DataFrame:
    """People convened in [start, end], filtered, with their counts, rates, roles and quartile band.

    body: a body code (the rates are then those of that body only); commune: an INSEE code; role: a role code held
    in a membership overlapping the range (in that body when one is chosen).
    """
    if body is None:
        frame = attendance.counts(conn, start, end, "person")
    else:
        frame = attendance.counts(conn, start, end, "person_body")
        frame = frame[frame["body_code"] == body]
        people = attendance.counts(conn, start, end, "person")[["person_id", "commune_insee", "sector"]]
        frame = frame.merge(people, on="person_id", how="left")
    memberships = _roles(conn, start, end)
    if body is not None:
        memberships = memberships[memberships["body_code"] == body]
    if role is not None:
        holders = set(memberships.loc[memberships["role"] == role, "person_id"])
        frame = frame[frame["person_id"].isin(holders)]
    if sector is not None:
        frame = frame[frame["sector"] == sector]
    if commune is not None:
        frame = frame[frame["commune_insee"] == commune]
    rank = {code: i for i, code in enumerate(ROLE_ORDER)}
    roles = (memberships.assign(order=memberships["role"].map(rank))
             .sort_values(["person_id", "order"])
             .groupby("person_id")["role"].agg(_roles_text))
    frame = frame.copy()
    frame["roles"] = frame["person_id"].map(roles).fillna("")
    cuts = quartiles(frame.loc[frame["recorded"] >= MIN_RECORDED, "presence_rate"])
    frame["band"] = [band(r, int(n), cuts) for r, n in zip(frame["presence_rate"], frame["recorded"])]
    communes = persons(conn).set_index("person_id")["commune_name"]
    frame["commune_name"] = frame["person_id"].map(communes)
    frame.attrs["quartiles"] = cuts
    frame["sort_key"] = frame["name"].map(fold)
    return frame.sort_values(["sort_key", "person_id"]).drop(columns="sort_key").reset_index(drop=True)


def rate_text(rate: float) -> str:
    """A rate as the bands say it: "100 %", "83,3 %" (no ",0" on a round percentage)."""
    return percent(rate, 0) if float(round(rate * 100, 1)).is_integer() else percent(rate)


def band_spans(frame: pd.DataFrame) -> list[dict]:
    """The four bands as they really are, lowest first: the people in each (count, share of those placed), their
    lowest and highest rate, and a legend text that says it — "66 personnes à 100 %" when a band holds a single
    rate, which happens when many people share the top rate; never "et plus" on a rate."""
    placed = frame.loc[frame["band"] != UNRANKED, ["band", "presence_rate"]]
    total = len(placed)
    spans = []
    for name in BANDS:
        rates = placed.loc[placed["band"] == name, "presence_rate"]
        count = len(rates)
        low, high = (float(rates.min()), float(rates.max())) if count else (0.0, 0.0)
        people = plural(count, "personne")
        if not count:
            label, span = f"{name} : aucune personne", "—"  # "personne" alone reads as one person
        elif rate_text(low) == rate_text(high):
            span = f"à {rate_text(high)}"
            label = f"{people} {span}" if name == BANDS[-1] else f"{name} : {people} {span}"
        else:
            span = f"de {rate_text(low)} à {rate_text(high)}"
            label = f"{name} : {span}, {people}"
        spans.append({"band": name, "count": count, "share": count / total if total else None,
                      "low": low if count else None, "high": high if count else None, "span": span,
                      "label": label})
    return spans


def band_legend(frame: pd.DataFrame) -> list[str]:
    """The bands' legend texts, lowest first (band_spans)."""
    return [span["label"] for span in band_spans(frame)]


def band_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """How many people in each band (the unranked too), in band order, with the rates the band really spans and
    its share of the people placed: a band is a quarter only when few people share a rate."""
    spans = {span["band"]: span for span in band_spans(frame)}
    unranked = int((frame["band"] == UNRANKED).sum())
    rows = [(name, spans[name]["span"], spans[name]["count"], spans[name]["share"]) for name in BANDS[::-1]]
    rows.append((UNRANKED, "—", unranked, None))  # under 4 recorded convocations: the caption says so
    return pd.DataFrame(rows, columns=["Bande", "Taux de présence", "Personnes", "Part"])


def quartiles_text(cuts: tuple[float, float, float] | None, rates: pd.Series | None = None) -> str:
    """The quartiles in a sentence; with the rates, honest when many people share the top rate: "66 personnes
    (32 %) sont à 100 %" rather than "les trois quarts sous 100 %"."""
    if cuts is None:
        return "Trop peu de personnes classables pour former des bandes."
    q1, median, q3 = cuts
    known = pd.Series(dtype=float) if rates is None else rates.dropna().astype(float)
    top = float(known.max()) if not known.empty else 1.0
    tied = int((known == top).sum())
    if known.empty or tied / len(known) < 0.25:
        return (f"Un quart des personnes classées est sous {percent(q1)} de présence, la moitié sous "
                f"{percent(median)}, les trois quarts sous {percent(q3)}.")
    below = [f"un quart sous {percent(q1)}" if q1 < top else None,
             f"la moitié sous {percent(median)}" if median < top else None]
    lead = ", ".join(part for part in below if part)
    share = percent(tied / len(known), 0)
    return ((f"Parmi les personnes classées, {lead} de présence ; " if lead else "Parmi les personnes classées, ")
            + f"{plural(tied, 'personne est', 'personnes sont')} à {rate_text(top)} ({share}).")


# the roles' column bounded (its long lists are whole on hover and in the exports): the band, last, stays in view
DIRECTORY_WIDTHS = {"Fonctions": 240}


def directory_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The people table in alphabetical order: rates as numbers (0–1) for the page to format."""
    return pd.DataFrame({
        "Nom": frame["name"], "Commune": frame["commune_name"].fillna(NO_COMMUNE), "Fonctions": frame["roles"],
        "Convocations": frame["convened"], "Renseignées": frame["recorded"], "Présence": frame["presence_rate"],
        "Participation": frame["participation_rate"], "Bande de présence": frame["band"],
    })


def person_alerts(alerts: pd.DataFrame, person_ids: list[int] | None = None) -> pd.DataFrame:
    """The alerts about people (low attendance, consecutive absences, proxies), for the given people."""
    frame = alerts[alerts["person_id"].notna()]
    if person_ids is not None:
        frame = frame[frame["person_id"].astype("int64").isin(set(person_ids))]
    return pd.DataFrame({
        "Gravité": frame["kind"].map(ALERT_GRAVITY).map(GRAVITY_WORD), "Type": frame["kind"].map(ALERT_KIND),
        "Date": frame["date"].map(short_date), "Personne": frame["person"], "Alerte": frame["message"],
    }).reset_index(drop=True)


# -- one person -------------------------------------------------------------------------------------------------

def card(conn: duckdb.DuckDBPyConnection, person_id: int, start: date, end: date,
         cuts: tuple[float, float, float] | None) -> dict:
    """The figures of one person over [start, end], and their band among the cuts given."""
    rows = attendance.counts(conn, start, end, "person")
    row = rows[rows["person_id"] == person_id]
    people = persons(conn).set_index("person_id")
    who = people.loc[person_id]
    counts: dict[str, int]
    rates: dict[str, float | None]
    if row.empty:
        counts = {c: 0 for c in attendance.COUNT_COLUMNS}
        rates = {"presence_rate": None, "participation_rate": None, "completeness": None}
    else:
        r = row.iloc[0]
        counts = {c: int(r[c]) for c in attendance.COUNT_COLUMNS}
        rates = {
            "presence_rate": None if pd.isna(r["presence_rate"]) else float(r["presence_rate"]),
            "participation_rate": None if pd.isna(r["participation_rate"]) else float(r["participation_rate"]),
            "completeness": None if pd.isna(r["completeness"]) else float(r["completeness"])}
    commune = who["commune_name"] if isinstance(who["commune_name"], str) else NO_COMMUNE
    sector = who["sector"] if isinstance(who["sector"], str) else None
    return {
        "name": who["name"], "label": who["label"],
        "subtitle": (commune + (f" · secteur {sector}" if sector else "")
                     + f" · {plural(counts['convened'], 'convocation')} du {short_date(start)} au {short_date(end)}"),
        "commune": who["commune_name"] if isinstance(who["commune_name"], str) else NO_COMMUNE,
        "sector": who["sector"] if isinstance(who["sector"], str) else None,
        **counts,
        **rates,
        "presence_text": percent(rates["presence_rate"]),
        "participation_text": percent(rates["participation_rate"]),
        "band": band(rates["presence_rate"], counts["recorded"], cuts),
    }


def memberships(conn: duckdb.DuckDBPyConnection, person_id: int) -> pd.DataFrame:
    """Every membership of the person, newest first, in French."""
    frame = conn.cursor().execute(query("people_person_memberships"), {"person_id": person_id}).df()
    return pd.DataFrame({
        "Instance": frame["body_name"],
        "Fonction": [ROLE[r] + (f" (rang {int(k)})" if not pd.isna(k) else "") for r, k in
                     zip(frame["role"], frame["rank"])],
        "Depuis le": frame["start_date"].map(short_date),
        "Jusqu'au": frame["end_date"].map(lambda d: "en cours" if pd.isna(d) else short_date(d)),
    })


def _change_text(column: str, old: str | None, new: str | None) -> str:
    def label(value: str | None) -> str:
        if value is None or pd.isna(value):
            return "∅"
        return ATTENDANCE_STATUS.get(value, value) if column == "status" else value

    name = {"status": "statut", "delegate_id": "mandataire (n°)", "plages": "présence aux points"}.get(column, column)
    return f"{name} : {label(old)} → {label(new)}"


def timeline(conn: duckdb.DuckDBPyConnection, person_id: int, start: date, end: date) -> pd.DataFrame:
    """Every meeting the person was convened to in [start, end], with the status, the delegate and the evidence:
    the sheet of that meeting (rows entered / people convened) and the changes imports made to the person's row."""
    frame = attendance.timeline(conn, person_id, start, end)
    evidence = conn.cursor().execute(query("people_evidence"),
                                     {"person_id": person_id, "start": start, "end": end}).df()
    changes = conn.cursor().execute(query("people_changes"), {"person_id": person_id}).df()
    history = {}
    for meeting_id, part in changes.groupby("meeting_id"):
        history[int(meeting_id)] = " ; ".join(
            f"{_change_text(c.column_name, c.old_value, c.new_value)} (import n° {c.import_id}, "
            f"{short_date(c.changed_at)}, {c.username})" for c in part.itertuples(index=False))
    frame = frame.merge(evidence, on="meeting_id", how="left")
    order = conn.cursor().execute(query("views_bodies"), {"sector": None}).df().set_index("code")["sort_order"]
    frame["sort_order"] = frame["body_code"].map(order)
    frame["status_label"] = frame["status"].map(ATTENDANCE_STATUS)
    frame["date_label"] = frame["meeting_date"].map(short_date)
    frame["sheet"] = [
        "aucune feuille saisie" if rows == 0 else
        f"feuille saisie : {number(rows)} émargement(s) pour {plural(conv, 'convoqué')}"
        for rows, conv in zip(frame["sheet_rows"].fillna(0).astype(int), frame["convened"].fillna(0).astype(int))
    ]
    frame["history"] = frame["meeting_id"].map(lambda m: history.get(int(m), ""))
    frame["delegate_text"] = [
        # a proxy whose holder the minutes do not name (issue 13): the one-proxy limit could not be checked for it
        ("pouvoir sans mandataire nommé : la limite d'un pouvoir par membre n'a pu être vérifiée" if s == "proxy"
         else "") if not isinstance(d, str) else (f"pouvoir à {d}" if s == "proxy" else f"suppléé par {d}")
        for d, s in zip(frame["delegate_name"], frame["status"])
    ]
    # rows bounded to points of the agenda: "arrivé(e) au point 5", "parti(e) après le point 24 ; pouvoir à …"
    points = agenda.presence_texts(conn, person_id, start, end)
    frame["points_text"] = frame["meeting_id"].map(lambda m: points.get(int(m), ""))
    # Plotly reads tags in hover text (<a href> among them): the names in it are HTML-escaped
    frame["hover"] = [
        f"<b>{escape(body)}</b><br>{weekday_date(day)}<br>statut : <b>{label}</b>"
        + (f" — {escape(delegate)}" if delegate else "") + (f"<br>{escape(at)}" if at else "") + f"<br>{sheet}"
        + (f"<br>modifié : {escape(hist)}" if hist else "")
        for body, day, label, delegate, at, sheet, hist in zip(frame["body_name"], frame["meeting_date"],
                                                               frame["status_label"], frame["delegate_text"],
                                                               frame["points_text"], frame["sheet"],
                                                               frame["history"])
    ]
    return frame


def timeline_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The person's convocations as a French table, newest first: the evidence one glance away."""
    ordered = frame.iloc[::-1]
    return pd.DataFrame({
        "Date": ordered["date_label"], "Instance": ordered["body_name"], "Statut": ordered["status_label"],
        "Pouvoir ou suppléance": ordered["delegate_text"], "Présence aux points": ordered["points_text"],
        "Format": ordered["format"].map(lambda f: MEETING_FORMAT.get(f, "") if isinstance(f, str) else ""),
        "Type": ordered["meeting_type"].map(lambda t: MEETING_TYPE.get(t, "") if isinstance(t, str) else ""),
        "Feuille d'émargement": ordered["sheet"], "Modifications": ordered["history"],
        "N° de séance": ordered["meeting_id"],
    }).reset_index(drop=True)


def status_counts_text(card_: dict) -> str:
    """"12 présent, 3 à distance, …" for the person's card."""
    parts = [f"{number(card_[code])} {label}" for code, label in STATUS_ORDER.items() if card_.get(code)]
    return " · ".join(parts) if parts else "aucune convocation"


# -- the page's own filters ----------------------------------------------------------------------------------------

ALL_BODIES = "Toutes les instances"
ALL_COMMUNES = "Toutes les communes"


def filter_options(conn: duckdb.DuckDBPyConnection, sector: str | None = None) -> dict[str, list[str]]:
    """The choices of the page's selectors: bodies and communes (of the sector) and roles, "all" first."""
    bodies = conn.cursor().execute(query("views_bodies"), {"sector": sector}).df()
    communes = conn.cursor().execute(query("territories_communes")).df()
    if sector is not None:
        communes = communes[communes["sector"] == sector]
    return {"bodies": [ALL_BODIES, *bodies["name"]], "communes": [ALL_COMMUNES, *communes["name"]],
            "roles": role_options()}


def filter_codes(conn: duckdb.DuckDBPyConnection, body: str | None, commune: str | None,
                 role: str | None) -> dict[str, str | None]:
    """The codes behind the selectors' labels (None for "all" or an unknown label)."""
    bodies = conn.cursor().execute(query("views_bodies"), {"sector": None}).df()
    communes = conn.cursor().execute(query("territories_communes")).df()
    body_code = dict(zip(bodies["name"], bodies["code"])).get(body)
    insee = dict(zip(communes["name"], communes["insee"])).get(commune)
    return {"body": body_code, "commune": insee, "role": role_code(role)}


def person_id_of(conn: duckdb.DuckDBPyConnection, label: str | None) -> int | None:
    """The person of a selector label, or None."""
    if not label:
        return None
    frame = persons(conn)
    match = frame[frame["label"] == label]
    return None if match.empty else int(match["person_id"].iloc[0])


def directory_caption(frame: pd.DataFrame) -> str:
    ranked = int((frame["band"] != UNRANKED).sum())
    return (f"{plural(len(frame), 'personne convoquée', 'personnes convoquées')}, dont "
            f"{plural(ranked, 'placée', 'placées')} dans une bande de présence ; ordre alphabétique. "
            + quartiles_text(frame.attrs.get("quartiles"), frame.loc[frame["band"] != UNRANKED, "presence_rate"]))


def band_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """The presence rates of the people placed in a band: what the bands chart draws."""
    return frame.loc[frame["band"] != UNRANKED, ["presence_rate"]].reset_index(drop=True)


def card_figures(card_: dict) -> list[dict]:
    """The person's headline figures for st.metric."""
    return [
        {"label": "Convocations", "value": number(card_["convened"]),
         "help": f"{number(card_['recorded'])} renseignées ; {status_counts_text(card_)}."},
        # the band under the rate it places, in the tile's small line: as a tile's value it did not fit (issue 16)
        {"label": "Taux de présence", "value": card_["presence_text"],
         "delta": (f"bande : {card_['band']}" if card_["band"] != UNRANKED
                   else f"non classé : moins de {MIN_RECORDED} convocations renseignées"),
         "delta_color": "off", "delta_arrow": "off",
         "help": "Présent ou à distance. La bande situe la personne parmi les personnes convoquées sur la période "
                 f"(au moins {MIN_RECORDED} convocations renseignées), sans classement."},
        {"label": "Taux de participation", "value": card_["participation_text"],
         "help": "Présent, à distance, pouvoir donné ou suppléé."},
    ]
