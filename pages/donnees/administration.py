"""Administration: the audit trail, the accounts, and the erasure of a person's personal data."""

import streamlit as st

from analytics.access import auth, privacy
from analytics.ui import widgets as ui
from analytics.wording.format import number

ui.require_page("administration")
conn = ui.connection()
st.title("Administration")
st.caption("Journal d'audit, comptes et effacement des données personnelles. Réservé aux administrateurs.")

journal_tab, accounts_tab, erase_tab = st.tabs(["Journal d'audit", "Comptes", "Effacer une personne"])

with journal_tab:
    if ui.allowed("audit_log"):
        events = auth.audit_events(conn, limit=500)
        if events.empty:
            st.markdown("Aucun évènement au journal pour l'instant.")
        else:
            ui.table(auth.audit_table(events))

with accounts_tab:
    accounts = auth.users_table(auth.load_config())
    if accounts.empty:  # the grid would print "empty"
        st.markdown("Aucun compte local n'est défini : sans fichier des comptes, le tableau de bord est en mode "
                    "démonstration (ou ouvert par OpenID Connect).")
    else:
        ui.table(accounts)
    st.markdown("Les comptes locaux se créent et se modifient en ligne de commande, sur le serveur :")
    st.code('.venv/bin/python -m analytics user add IDENTIFIANT --role saisie --name "Prénom NOM"\n'
            ".venv/bin/python -m analytics user passwd IDENTIFIANT\n"
            ".venv/bin/python -m analytics user remove IDENTIFIANT", language="sh")

with erase_tab:
    st.markdown("Remplace le nom d'une personne par « ANONYME n° … » partout dans la base et garde ses présences "
                "anonymes : les indicateurs ne changent pas. Les sauvegardes plus anciennes contiennent encore le nom.")
    search = st.text_input("Nom ou prénom")
    found = privacy.find_person(conn, search)
    if search and found.empty:
        st.info("Personne ne correspond à cette recherche.")
    elif not found.empty:
        choices = found.to_dict("records")
        chosen = st.selectbox("Personne", choices, format_func=privacy.describe)
        confirmed = st.checkbox(f"Je confirme effacer les données personnelles de la personne n° "
                                f"{number(chosen['person_id'])}.")
        if confirmed and st.button("Effacer", type="primary") and ui.allowed("erase_person"):
            privacy.erase_person(conn, int(chosen["person_id"]), ui.current_user())
            st.cache_data.clear()  # cached tables still hold the name
            st.success("Données personnelles effacées. Le fichier de la base sera réécrit au prochain démarrage du "
                       "tableau de bord, pour qu'aucun bloc libéré ne garde le nom.")
