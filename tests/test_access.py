"""Access control in the dashboard: login, roles enforced on the server for every page and action, demo mode,
production refusal, and hostile input rendered as inert text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.ingest import demo, importer
from analytics.store import db
from tests.support import ROOT, snapshot

APP = str(ROOT / "app.py")
PAGES = {
    "synthese": "pages/tableau_de_bord/synthese.py", "instances": "pages/tableau_de_bord/instances.py",
    "territoires": "pages/tableau_de_bord/territoires.py", "elus": "pages/tableau_de_bord/elus.py",
    "sieges": "pages/tableau_de_bord/conseil.py", "calendrier": "pages/tableau_de_bord/calendrier.py",
    "saisie": "pages/donnees/saisie.py", "administration": "pages/donnees/administration.py",
}
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> Path:
    """Local accounts lecture, saisie and admin; the dashboard is then in local-login mode."""
    path = tmp_path / "utilisateurs.toml"
    for role in auth.ROLES:
        auth.set_password(f"compte.{role}", PASSWORD, role=role, name=f"Compte {role}", path=path)
    monkeypatch.setenv("GOUVERNANCE_USERS", str(path))
    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_file))
    monkeypatch.setenv("GOUVERNANCE_TODAY", "2026-11-29")
    return path


def _app(role: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if role:
        at.session_state["_compte"] = auth.Account(f"compte.{role}", f"Compte {role}", role, "local")
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, at.exception
    return at


def _refused(at: AppTest) -> bool:
    return any("🔒" in (e.icon or "") or "réservé" in e.value for e in at.error)


def test_login_form_blocks_everything_until_logged_in(accounts: Path) -> None:
    at = _app()
    at.run()
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]
    assert not at.metric  # nothing of the dashboard is drawn
    at.text_input[0].input("compte.lecture")
    at.text_input[1].input("mauvais mot de passe")
    at.button[0].click().run()
    assert "Identifiant ou mot de passe incorrect." in [e.value for e in at.error]
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.metric  # the Synthèse is shown
    assert at.session_state["_compte"].role == "lecture"


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", auth.ROLES)
def test_every_page_for_every_role(accounts: Path, demo_file: Path, role: str, page: str) -> None:
    at = _open(_app(role), page)
    allowed = auth.can_open(role, page)
    assert _refused(at) is not allowed
    if not allowed:
        conn = db.connect(demo_file)
        events = auth.audit_events(conn)
        assert (events["event"] == "refused").any() and (events["username"] == f"compte.{role}").any()


def test_saisie_actions_follow_the_role(accounts: Path) -> None:
    saisie = _open(_app("saisie"), "saisie")
    assert any("réservées aux administrateurs" in i.value for i in saisie.info)  # no backup for saisie
    admin = _open(_app("admin"), "saisie")
    assert "Préparer une sauvegarde" in [b.label for b in admin.button]


def test_named_exports_only_for_saisie_and_admin(accounts: Path) -> None:
    reader = _open(_app("lecture"), "elus")
    assert any("Export nominatif réservé" in c.value for c in reader.caption)
    clerk = _open(_app("saisie"), "elus")
    assert not any("Export nominatif réservé" in c.value for c in clerk.caption)


def test_demo_mode_shows_its_banner(monkeypatch: pytest.MonkeyPatch, demo_file: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("GOUVERNANCE_USERS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_file))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert any("Mode démonstration" in w.value for w in at.warning)
    assert at.metric


def test_production_without_authentication_refuses_to_start(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("GOUVERNANCE_USERS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("GOUVERNANCE_PRODUCTION", "1")
    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_file))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert at.error and at.error[0].value.startswith("Démarrage refusé")
    assert not at.metric


HOSTILE = ["'; DROP TABLE persons; --", "<script>alert('x')</script>", "Robert\"); DELETE FROM attendance; --"]


def test_hostile_names_stay_inert_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "hostile.duckdb"
    conn = db.connect(path)
    rows = "\n".join(f"{name.replace(';', ',')};Prénom;Mulhouse;forum;membre;2024-01-01;" for name in HOSTILE)
    importer.import_sources(conn, [("../../etc/passwd;.csv", f"nom;prenom;commune;instance;role;debut;fin\n{rows}\n"
                                    .encode())], today=date(2024, 12, 31))
    sheet = "instance;date;nom;prenom;commune;statut\n" + "\n".join(
        f"forum;2024-06-20;{name.replace(';', ',')};Prénom;Mulhouse;présent" for name in HOSTILE)
    importer.import_sources(conn, [("presences.csv", sheet.encode())], today=date(2024, 12, 31))
    before = snapshot(conn)
    assert len(before["persons"]) == 3 and len(before["attendance"]) == 3
    conn.close()
    monkeypatch.setenv("GOUVERNANCE_USERS", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("GOUVERNANCE_DB", str(path))
    monkeypatch.setenv("GOUVERNANCE_TODAY", "2024-12-31")
    at = _open(AppTest.from_file(APP, default_timeout=30), "elus")
    # a hostile value in the URL filters is only an unknown choice
    at.query_params["periode"] = "<script>alert(1)</script>"
    at.query_params["secteur"] = "'; DROP TABLE communes; --"
    at.run()
    assert not at.exception
    assert not any("<script>" in m.value for m in at.markdown if m.allow_html)
    conn = db.connect(path)
    assert snapshot(conn)["persons"] == before["persons"]
    assert conn.execute("SELECT count(*) FROM communes").fetchall() == [(39,)]
    # a file name is only a label: its folders are dropped and nothing is read or written at that path
    assert conn.execute("SELECT file_names FROM import_log ORDER BY import_id").fetchall()[0] == ("passwd;.csv",)


def test_admin_erases_a_person_from_the_dashboard(accounts: Path, demo_file: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    copy = tmp_path / "copie.duckdb"
    shutil.copy(demo_file, copy)
    monkeypatch.setenv("GOUVERNANCE_DB", str(copy))
    conn = db.connect(copy)
    person_id, last, first = conn.execute(
        "SELECT person_id, last_name, first_name FROM persons ORDER BY person_id LIMIT 1").fetchall()[0]
    conn.close()
    at = _open(_app("admin"), "administration")
    at.text_input[0].input(f"{last} {first}").run()  # names are unique in the demo: one match
    at.checkbox[0].check().run()
    [button for button in at.button if button.label == "Effacer"][0].click().run()
    assert at.success[0].value == "Données personnelles effacées."
    conn = db.connect(copy)
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = ?", [person_id]).fetchall() == [("ANONYME",)]
    events = auth.audit_events(conn)
    assert (events["event"] == "erase_person").any()
