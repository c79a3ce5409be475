"""Saisie: import files, record a meeting, templates and calendars, history, backup."""

import pandas as pd
import streamlit as st

from analytics.access import auth
from analytics.ingest import history, importer, recording, templates
from analytics.outputs import ics
from analytics.rules import filters
from analytics.settings import today
from analytics.store import backup
from analytics.store.reference import DATA_DIR
from analytics.ui import widgets as ui
from analytics.ui.widgets import connection, current_user
from analytics.wording import labels
from analytics.wording.format import long_date, number

ui.require_page("saisie")
conn = connection()
st.title("Saisie")
st.caption("Importer les feuilles d'émargement, saisir une séance, télécharger les modèles, sauvegarder la base.")

files_tab, meeting_tab, models_tab, history_tab, backup_tab = st.tabs(
    ["Importer des fichiers", "Saisir une séance", "Modèles et calendrier", "Historique des imports", "Sauvegarde"]
)

with files_tab:
    st.markdown(
        "Fichiers **CSV** (UTF-8 ou Windows-1252, séparateur `;`, `,` ou tabulation) ou classeur **Excel** "
        "(une feuille par modèle : membres, séances, présences), ou le fichier des conseillers communautaires du "
        "Répertoire national des élus. **Tout ou rien** : à la moindre erreur, rien n'est importé."
    )
    uploads = st.file_uploader("Fichiers à importer", type=["csv", "txt", "xlsx"], accept_multiple_files=True)
    sources = [(upload.name, upload.getvalue()) for upload in uploads or []]
    too_big = importer.oversized(sources)
    if too_big:
        for problem in too_big:
            st.error(str(problem))
    elif sources:
        for title, kind, header, rows in (t for name, content in sources for t in templates.preview(name, content)):
            st.markdown(f"**{title}** — fichier de {kind}, aperçu des premières lignes")
            st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True)
        problems, ready = importer.check_sources(conn, sources, today())
        if problems:
            st.error(f"{number(len(problems))} erreur(s) : corrigez les fichiers puis déposez-les à nouveau. "
                     "Rien n'a été importé.")
            st.dataframe(pd.DataFrame([(p.file, p.line, p.column, p.message) for p in problems],
                                      columns=["Fichier", "Ligne", "Colonne", "Erreur"]), hide_index=True)
        else:
            st.success(f"Aucune erreur : {number(ready['members'])} appartenance(s), {number(ready['meetings'])} "
                       f"séance(s) et {number(ready['attendance'])} présence(s) prêtes à importer.")
            if st.button("Importer", type="primary") and ui.allowed("import"):
                bar = st.progress(0.0, text="Import…")
                try:
                    result = importer.import_sources(conn, sources, username=current_user(), source="ui",
                                                     today=today(), progress=lambda f, m: bar.progress(f, text=m))
                except importer.ImportRefused as refused:
                    st.error(f"Import refusé : {refused.problems[0]}")
                else:
                    auth.audit(conn, current_user(), "import", ", ".join(name for name, _ in sources))
                    bar.progress(1.0, text="Import terminé.")
                    st.success(f"Import réussi : {number(result.added)} ligne(s) ajoutée(s), "
                               f"{number(result.updated)} modifiée(s), {number(result.unchanged)} inchangée(s).")

with meeting_tab:
    bodies = filters.bodies(conn)
    left, middle, right = st.columns([3, 2, 2])
    body = left.selectbox("Instance", bodies["code"], format_func=dict(zip(bodies["code"], bodies["name"])).get)
    day = middle.date_input("Date de la séance", value=today(), max_value=today(), format="DD/MM/YYYY")
    fmt = right.selectbox("Format", list(labels.MEETING_FORMAT), format_func=labels.MEETING_FORMAT.get)
    sheet = recording.load_sheet(conn, body, day)
    if sheet.rows.empty:
        st.info("Personne n'est membre de cette instance à cette date : importez d'abord les membres.")
    else:
        st.caption("Séance déjà enregistrée : vous modifiez ses présences." if sheet.meeting_id else
                   "Nouvelle séance : les membres convoqués sont présents par défaut, comme sur la feuille "
                   "d'émargement.")
        edited = st.data_editor(
            recording.editor_frame(sheet), hide_index=True, width="stretch", key=f"sheet-{body}-{day}",
            disabled=["Nom", "Commune", "Qualité"],
            column_config={
                "Statut": st.column_config.SelectboxColumn(
                    options=list(labels.ATTENDANCE_STATUS.values()), required=True),
                "Mandataire": st.column_config.SelectboxColumn(
                    options=sheet.rows["name"].tolist(), help="Porteur du pouvoir ou suppléant"),
            },
        )
        action = "correct_meeting" if sheet.meeting_id else "record_meeting"
        if st.button("Enregistrer la séance", type="primary") and ui.allowed(action):
            try:
                added, updated, _ = recording.save_sheet(
                    conn, sheet, recording.statuses_from_editor(sheet, edited), username=current_user(),
                    meeting_format=fmt, today=today())
            except recording.InvalidSheet as invalid:
                for problem in invalid.problems:
                    st.error(problem)
            except recording.Conflict as conflict:
                st.warning(str(conflict))
            else:
                auth.audit(conn, current_user(), "record_meeting", f"{body} {day.isoformat()}")
                st.success(f"Séance du {long_date(day)} enregistrée : {number(added)} présence(s) ajoutée(s), "
                           f"{number(updated)} modifiée(s).")
        if sheet.meeting_id:
            changes = recording.history(conn, sheet.meeting_id)
            with st.expander(f"Historique des modifications ({number(len(changes))})"):
                st.dataframe(changes.rename(columns=recording.HISTORY_COLUMNS), hide_index=True)

with models_tab:
    st.markdown("Modèles vides, avec une ligne d'exemple, à remplir dans un tableur :")
    columns = st.columns(3)
    for column, (name, title) in zip(columns, (("membres.csv", "Membres"), ("seances.csv", "Séances"),
                                                 ("presences.csv", "Présences"))):
        column.download_button(f"Modèle « {title} »", (DATA_DIR / "templates" / name).read_bytes(), file_name=name,
                               mime="text/csv")
    st.markdown("Calendrier des séances prévues, à ouvrir dans Outlook ou Thunderbird :")
    chosen = st.selectbox("Instance du calendrier", [None, *bodies["code"]], key="ics-body",
                          format_func=lambda code: "Toutes les instances" if code is None else
                          dict(zip(bodies["code"], bodies["name"]))[code])
    st.download_button("Calendrier ICS des séances prévues", ics.planned_calendar(conn, today(), chosen),
                       file_name=f"seances-prevues-{chosen or 'm2a'}.ics", mime="text/calendar")

with history_tab:
    st.dataframe(history.imports(conn), hide_index=True, width="stretch")

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
        archive = st.file_uploader("Sauvegarde à restaurer (.zip)", type=["zip"], key="restauration")
        confirmed = st.checkbox("Je confirme remplacer toute la base par cette sauvegarde.")
        if archive and confirmed and st.button("Restaurer", type="primary") and ui.allowed("restore"):
            try:
                manifest = ui.restore_database(archive.getvalue())
            except (backup.BackupError, OSError) as exc:
                st.error(str(exc))
            else:
                auth.audit(connection(), current_user(), "restore", archive.name)
                st.success(f"Base restaurée (sauvegarde du {manifest['created_at'][:10]}).")
