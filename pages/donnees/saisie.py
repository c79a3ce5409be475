"""Saisie: import files, record a meeting, templates and calendars, history, backup."""

import pandas as pd
import streamlit as st

from analytics.access import auth
from analytics.ingest import history, importer, recording, replies
from analytics.outputs import ics
from analytics.rules import filters
from analytics.settings import EARLIEST_DAY, today
from analytics.store import backup
from analytics.store.reference import DATA_DIR
from analytics.ui import minutes as minutes_ui
from analytics.ui import widgets as ui
from analytics.ui.widgets import connection, current_user
from analytics.wording import labels
from analytics.wording.display import file_size
from analytics.wording.format import long_date, number

SAVED_KEY = "seance-enregistree"
REPLIES_KEY = "reponses-enregistrees"

ui.require_page("saisie")
conn = connection()
st.title("Saisie")
st.caption("Importer les feuilles d'émargement, saisir une séance, télécharger les modèles, sauvegarder la base.")

files_tab, minutes_tab, meeting_tab, replies_tab, models_tab, history_tab, backup_tab = st.tabs(
    ["Importer des fichiers", "Depuis un procès-verbal", "Saisir une séance", "Réponses aux convocations",
     "Modèles et calendrier", "Historique des imports", "Sauvegarde"]
)

with files_tab:
    st.markdown(
        "Fichiers **CSV** (UTF-8 ou Windows-1252, séparateur `;`, `,` ou tabulation) ou classeur **Excel** "
        "(une feuille par modèle : membres, séances, ordre du jour, présences), ou le fichier des conseillers "
        "communautaires du Répertoire national des élus. **Tout ou rien** : à la moindre erreur, rien n'est importé."
    )
    uploads = ui.file_uploader("Fichiers à importer", ["csv", "txt", "xlsx"], key="fichiers-import", multiple=True)
    sources = [(upload.name, upload.getvalue()) for upload in uploads or []]
    if sources:
        st.caption(ui.inert(" · ".join(f"{name} ({file_size(len(content))})" for name, content in sources)))
    too_big = importer.oversized(sources)
    if too_big:
        for problem in too_big:
            st.error(ui.inert(problem))
    elif sources:
        shown, problems, ready = ui.inspected(sources, today())
        for title, kind, header, rows in shown:
            st.markdown(f"**{ui.inert(title)}** — fichier de {kind}, aperçu des premières lignes")
            ui.table(pd.DataFrame(rows, columns=header))  # "Aucune ligne à afficher." rather than "empty"
        if problems:
            st.error(f"{number(len(problems))} erreur(s) : corrigez les fichiers puis déposez-les à nouveau. "
                     "Rien n'a été importé.")
            ui.table(pd.DataFrame([(p.file, p.line, p.column, p.message) for p in problems],
                                  columns=["Fichier", "Ligne", "Colonne", "Erreur"]))
        else:
            st.success(f"Aucune erreur : {number(ready['members'])} appartenance(s), {number(ready['meetings'])} "
                       f"séance(s), {number(ready['attendance'])} présence(s) et {number(ready.get('replies', 0))} "
                       "réponse(s) aux convocations prêtes à importer.")
            if st.button("Importer", type="primary") and ui.allowed("import"):
                bar = st.progress(0.0, text="Import…")
                try:
                    result = importer.import_sources(conn, sources, username=current_user(), source="ui",
                                                     today=today(), progress=lambda f, m: bar.progress(f, text=m))
                except importer.ImportRefused as refused:
                    st.error(f"Import refusé : {ui.inert(refused.problems[0])}")
                else:
                    auth.audit(conn, current_user(), "import", ", ".join(name for name, _ in sources))
                    bar.progress(1.0, text="Import terminé.")
                    st.success(f"Import réussi : {number(result.added)} ligne(s) ajoutée(s), "
                               f"{number(result.updated)} modifiée(s), {number(result.unchanged)} inchangée(s).")

with minutes_tab:
    minutes_ui.tab(conn)

with meeting_tab:
    bodies = filters.bodies(conn)
    left, middle, right, kind_column, status_column = st.columns([3, 2, 2, 2, 2])
    body = left.selectbox("Instance", bodies["code"], format_func=dict(zip(bodies["code"], bodies["name"])).get)
    day = middle.date_input("Date de la séance", value=today(), min_value=EARLIEST_DAY, max_value=today(),
                            format="DD/MM/YYYY")
    sheet = recording.load_sheet(conn, body, day)
    stored = recording.stored_fields(sheet)
    # keyed by sitting: each starts from its own stored format, type and status
    fields = recording.MeetingFields(
        right.selectbox("Format", recording.FORMATS, index=recording.FORMATS.index(stored.format),
                        format_func=labels.MEETING_FORMAT.get, key=f"format-{body}-{day}"),
        kind_column.selectbox("Type", recording.TYPES, index=recording.TYPES.index(stored.meeting_type),
                              format_func=labels.MEETING_TYPE.get, key=f"type-{body}-{day}"),
        status_column.selectbox("Statut de la séance", recording.STATUSES,
                                index=recording.STATUSES.index(stored.status), format_func=labels.MEETING_STATUS.get,
                                key=f"statut-{body}-{day}"))
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:  # the sitting saved by the previous run, now read back as an existing meeting
        st.success(saved)
    if sheet.rows.empty:
        st.info("Personne n'est membre de cette instance à cette date : importez d'abord les membres.")
    else:
        st.caption(recording.sheet_caption(sheet))
        convocation = ui.date_field("Convocation envoyée le (facultatif)", recording.stored_convocation(sheet),
                                    min_value=EARLIEST_DAY, max_value=day, key=f"convocation-{body}-{day}",
                                    help="Le Conseil est convoqué cinq jours francs au moins avant la séance "
                                         "(CGCT L2121-12).")
        edited = st.data_editor(
            recording.editor_frame(sheet), hide_index=True, width="stretch", key=f"sheet-{body}-{day}",
            disabled=recording.locked_columns(sheet), placeholder="",
            column_config={
                "Statut": st.column_config.SelectboxColumn(
                    options=list(labels.ATTENDANCE_STATUS.values()), required=True),
                "Mandataire": st.column_config.SelectboxColumn(
                    options=sheet.rows["name"].tolist(), help="Porteur du pouvoir ou suppléant"),
                "Depuis le point": st.column_config.SelectboxColumn(
                    options=recording.point_options(sheet), help="Arrivée : premier point où la ligne vaut"),
                "Jusqu'au point": st.column_config.SelectboxColumn(
                    options=recording.point_options(sheet), help="Départ : dernier point où la ligne vaut"),
            },
        )
        st.caption(recording.points_help(sheet))
        extra = None
        if recording.point_options(sheet):
            extra = st.data_editor(
                recording.extra_frame(sheet), hide_index=True, width="stretch", num_rows="dynamic",
                key=f"sheet-points-{body}-{day}", placeholder="",
                column_config={
                    "Nom": st.column_config.SelectboxColumn(options=sheet.rows["name"].tolist(), required=True),
                    "Statut": st.column_config.SelectboxColumn(
                        options=list(labels.ATTENDANCE_STATUS.values()), required=True),
                    "Mandataire": st.column_config.SelectboxColumn(
                        options=sheet.rows["name"].tolist(), help="Porteur du pouvoir ou suppléant"),
                    "Depuis le point": st.column_config.SelectboxColumn(options=recording.point_options(sheet)),
                    "Jusqu'au point": st.column_config.SelectboxColumn(options=recording.point_options(sheet)),
                },
            )
        action = "correct_meeting" if sheet.meeting_id else "record_meeting"
        if st.button("Enregistrer la séance", type="primary") and ui.allowed(action):
            saved = ui.attempt(lambda: recording.save_sheet(
                conn, sheet, recording.statuses_from_editor(sheet, edited, extra), username=current_user(),
                meeting_format=fields.format, meeting_type=fields.meeting_type, meeting_status=fields.status,
                today=today(), convocation=convocation))
            if saved is not None:
                auth.audit(conn, current_user(), "record_meeting", f"{body} {day.isoformat()}")
                # read the sheet again: the form now shows a recorded meeting ("Séance déjà enregistrée")
                st.session_state[SAVED_KEY] = recording.saved_text(sheet, saved, fields)
                ui.forget(f"sheet-{body}-{day}")
                ui.forget(f"sheet-points-{body}-{day}")
                st.rerun()
        if sheet.meeting_id:
            changes = recording.history(conn, sheet.meeting_id)
            with st.expander(f"Historique des modifications ({number(len(changes))})"):
                ui.table(changes.rename(columns=recording.HISTORY_COLUMNS))

with replies_tab:
    st.markdown("Pour une séance prévue : la date d'envoi de la convocation et la réponse de chaque membre convoqué "
                "(présent, à distance, excusé, pouvoir à un membre nommé, suppléant). Le jour de la séance, la "
                "feuille d'émargement part de ces réponses ; elles restent enregistrées après la séance. Un fichier "
                "de réponses s'importe aussi (modèle « Réponses »).")
    planned = replies.planned_sittings(conn, today())
    answered = st.session_state.pop(REPLIES_KEY, None)
    if answered:
        st.success(answered)
    if planned.empty:
        st.info("Aucune séance prévue : décrivez-la d'abord dans un fichier de séances (statut « prévue »).")
    else:
        meeting_id = st.selectbox("Séance prévue", planned["meeting_id"].tolist(), key="reponses-seance",
                                  format_func=dict(zip(planned["meeting_id"], planned["label"])).get)
        answers = replies.load(conn, meeting_id)
        sent = ui.date_field("Convocation envoyée le", answers.convocation, min_value=EARLIEST_DAY,
                             max_value=answers.day, key=f"reponses-convocation-{meeting_id}",
                             help="Le Conseil est convoqué cinq jours francs au moins avant la séance "
                                  "(CGCT L2121-12) : ni le jour de l'envoi ni celui de la séance ne comptent.")
        st.caption(replies.summary(answers))
        edited = st.data_editor(
            replies.editor_frame(answers), hide_index=True, width="stretch", key=f"reponses-{meeting_id}",
            disabled=["Nom", "Commune", "Qualité"], placeholder="",
            column_config={
                "Réponse": st.column_config.SelectboxColumn(options=replies.OPTIONS, required=True),
                "Mandataire": st.column_config.SelectboxColumn(
                    options=replies.delegate_names(answers),
                    help="Porteur du pouvoir, ou suppléant (vide : le suppléant de la commune)"),
            },
        )
        if st.button("Enregistrer les réponses", type="primary") and ui.allowed("record_meeting"):
            result = ui.attempt(lambda: replies.save(conn, answers, replies.replies_from_editor(answers, edited),
                                                     username=current_user(), convocation=sent))
            if result is not None:
                added, updated, _ = result
                auth.audit(conn, current_user(), "record_meeting",
                           f"réponses {answers.body} {answers.day.isoformat()}")
                st.session_state[REPLIES_KEY] = (f"Réponses de la séance du {long_date(answers.day)} enregistrées : "
                                                 f"{number(added)} ajoutée(s), {number(updated)} modifiée(s).")
                ui.forget(f"reponses-{meeting_id}")
                ui.forget(f"reponses-convocation-{meeting_id}")
                st.rerun()

with models_tab:
    st.markdown("Modèles vides, avec une ligne d'exemple, à remplir dans un tableur :")
    columns = st.columns(5)
    for column, (name, title) in zip(columns, (("membres.csv", "Membres"), ("seances.csv", "Séances"),
                                                 ("ordre_du_jour.csv", "Ordre du jour"),
                                                 ("presences.csv", "Présences"), ("reponses.csv", "Réponses"))):
        column.download_button(f"Modèle « {title} »", (DATA_DIR / "templates" / name).read_bytes(), file_name=name,
                               mime="text/csv")
    st.markdown("Calendrier des séances prévues, à ouvrir dans Outlook ou Thunderbird :")
    chosen = st.selectbox("Instance du calendrier", [None, *bodies["code"]], key="ics-body",
                          format_func=lambda code: "Toutes les instances" if code is None else
                          dict(zip(bodies["code"], bodies["name"]))[code])
    st.download_button("Calendrier ICS des séances prévues", ics.planned_calendar(conn, today(), chosen),
                       file_name=f"seances-prevues-{chosen or 'm2a'}.ics", mime="text/calendar")

with history_tab:
    imports = history.imports(conn)
    if imports.empty:
        st.markdown("Aucun import pour l'instant.")
    else:
        ui.table(imports)

with backup_tab:
    if not ui.allowed("backup", quiet=True):
        st.info("La sauvegarde et la restauration sont réservées aux administrateurs.")
    else:
        st.markdown("Une sauvegarde est une copie complète et portable de la base (un fichier Parquet par table).")
        if st.button("Préparer une sauvegarde") and ui.allowed("backup"):
            auth.audit(conn, current_user(), "backup")
            st.download_button("Télécharger la sauvegarde", backup.backup_zip(conn),
                               file_name=f"sauvegarde-gouvernance-{today():%Y-%m-%d}.zip", mime="application/zip")
        st.markdown("**Restaurer** une sauvegarde remplace toute la base par la copie : les autres utilisateurs "
                    "verront la base restaurée à leur prochaine action.")
        archive = ui.file_uploader("Sauvegarde à restaurer (.zip)", ["zip"], key="restauration")
        confirmed = st.checkbox("Je confirme remplacer toute la base par cette sauvegarde.")
        if archive and confirmed and st.button("Restaurer", type="primary") and ui.allowed("restore"):
            try:
                manifest = ui.restore_database(archive.getvalue())
            except (backup.BackupError, OSError) as exc:
                st.error(ui.inert(exc))
            else:
                auth.audit(connection(), current_user(), "restore", archive.name)
                st.success(f"Base restaurée (sauvegarde du {ui.inert(manifest['created_at'][:10])}).")
