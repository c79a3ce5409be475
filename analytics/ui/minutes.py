"""The tab « Depuis un procès-verbal » of the Saisie page: upload the minutes, check the reading beside the text,
resolve each unmatched name by hand, then save through the import. Nothing is written before the save button."""

from __future__ import annotations

from datetime import date

import duckdb
import streamlit as st

from analytics.access import auth
from analytics.ingest import importer
from analytics.ingest.minutes import MinutesError, extract_text, read_minutes
from analytics.ingest.minutes import sitting as minutes
from analytics.rules import filters
from analytics.screens import minutes as view
from analytics.settings import today
from analytics.ui import widgets as ui
from analytics.wording.display import file_size
from analytics.wording.format import long_date, number

UPLOAD_KEY = "proces-verbal"
SAVED_KEY = "proces-verbal-enregistre"
CHOICES_KEY = "proces-verbal-choix"


def tab(conn: duckdb.DuckDBPyConnection) -> None:
    """Draw the tab: upload, reading, pickers, save."""
    st.markdown("Un procès-verbal, compte rendu ou extrait du registre en **.txt**, **.pdf** (avec une couche de "
                "texte), **.docx** ou **.odt** : les présences sont lues, chaque nom est rapproché des membres en "
                "fonction, puis la séance est enregistrée comme par un import (tout ou rien).")
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(saved)
    upload = ui.file_uploader("Procès-verbal", ["txt", "pdf", "docx", "odt"], key=UPLOAD_KEY)
    if upload is None:
        return
    name, content = upload.name, upload.getvalue()
    st.caption(ui.inert(f"{name} ({file_size(len(content))})"))
    too_big = importer.oversized([(name, content)])
    if too_big:
        st.error(ui.inert(too_big[0]))
        return
    try:
        lines = extract_text(name, content)
        found_day = read_minutes(lines, []).sitting_date
    except MinutesError as exc:
        st.error(ui.inert(f"{name} : {exc}"))
        return
    bodies = filters.bodies(conn)
    codes = bodies["code"].tolist()
    names = dict(zip(bodies["code"], bodies["name"]))
    left, right = st.columns([3, 2])
    body = left.selectbox("Instance", codes, index=codes.index("conseil") if "conseil" in codes else 0,
                          format_func=lambda code: str(names.get(code, code)), key=f"pv-instance-{name}")
    day = right.date_input("Date de la séance", value=found_day or today(), max_value=today(), format="DD/MM/YYYY",
                           key=f"pv-date-{name}",
                           help="Lue dans le texte" if found_day else "Le texte ne donne pas la date : indiquez-la.")
    if body is None or not isinstance(day, date):
        return
    roster = minutes.roster(conn, body, day)
    if not roster.members:
        st.info(f"Personne n'est membre de cette instance le {long_date(day)} : importez d'abord ses membres.")
        return
    # the pickers' choices, kept apart from the widgets: a name once resolved has no picker drawn any more
    choices: dict[tuple[int, str], int] = st.session_state.setdefault(CHOICES_KEY, {}).setdefault(
        (name, body, day.isoformat()), {})
    try:
        reading = read_minutes(lines, roster.members, choices=choices)
    except MinutesError as exc:
        st.error(ui.inert(f"{name} : {exc}"))
        return
    text_column, reading_column = st.columns(2)
    with text_column:
        st.markdown("**Texte lu**")
        st.code(view.numbered_text(lines), language=None, height=560)
    with reading_column:
        st.markdown(f"**Lecture : {number(len(reading.rows))} présence(s)**")
        ui.table(view.reading_frame(reading, roster), named=True, key=f"pv-lecture-{name}")
        st.markdown("**Chiffres annoncés et trouvés**")
        ui.table(view.figures_frame(reading, roster))
        ui.table(view.sections_frame(reading))
    for warning in reading.warnings:
        st.warning(ui.inert(warning))
    for conflict in reading.conflicts:
        st.error(ui.inert(conflict.message))
    if reading.unmatched:
        st.markdown(f"**{number(len(reading.unmatched))} nom(s) à résoudre** parmi les membres en fonction :")
        for unmatched in reading.unmatched:
            widget = f"pv-choix-{name}-{body}-{day.isoformat()}-{unmatched.line}-{unmatched.written}"
            st.selectbox(ui.inert(view.unmatched_label(unmatched)), view.pick_options(unmatched, roster),
                         format_func=lambda person: view.pick_label(person, roster), key=widget,
                         on_change=_choose, args=(choices, unmatched.key, widget))
    if choices:
        st.caption(ui.inert("Noms résolus à la main : " + " ; ".join(
            f"ligne {line} « {written} » : {view.pick_label(person, roster)}"
            for (line, written), person in sorted(choices.items()))))
        st.button("Effacer ces choix", key="pv-effacer-choix", on_click=choices.clear)
    if not reading.complete:
        st.info("Rien n'est enregistré tant que chaque nom n'est pas résolu et chaque contradiction levée.")
        return
    try:
        plan = minutes.plan(conn, reading, roster, name)
    except MinutesError as exc:
        st.error(ui.inert(exc))
        return
    for note in plan.notes:
        st.info(ui.inert(note))
    if st.button("Enregistrer la séance et ses présences", type="primary", key="pv-enregistrer") \
            and ui.allowed("import"):
        try:
            result = minutes.apply(conn, plan, name, username=ui.current_user(), source="ui", today=today())
        except MinutesError as exc:
            st.error(ui.inert(exc))
            return
        auth.audit(conn, ui.current_user(), "import", f"procès-verbal {name} ({body} {day.isoformat()})")
        st.session_state[SAVED_KEY] = (f"Procès-verbal enregistré : séance du {long_date(day)}, "
                                       f"{number(plan.attendance_rows)} présence(s) ; {number(result.added)} "
                                       f"ligne(s) ajoutée(s), {number(result.updated)} modifiée(s).")
        st.rerun()


def _choose(choices: dict[tuple[int, str], int], key: tuple[int, str], widget: str) -> None:
    """A picker's callback: keep the member chosen for an unmatched name (the next run reads with it)."""
    person = st.session_state.get(widget)
    if isinstance(person, int) and person != view.UNRESOLVED:
        choices[key] = person
