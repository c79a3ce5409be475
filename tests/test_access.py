"""Access control in the dashboard: login, roles enforced on the server for every page and action, demo mode,
production refusal, and hostile input rendered as inert text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.ingest import importer
from analytics.screens import elus as people
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
    assert _refused(at) is not allowed, [e.value for e in at.error]
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
    # the import refuses such names (test below): they are written by SQL, as a shell or an old base could hold them
    placeholders = ["ALPHA", "BÊTA", "GAMMA"]
    rows = "\n".join(f"{name};Prénom;Mulhouse;forum;membre;2024-01-01;" for name in placeholders)
    importer.import_sources(conn, [("../../etc/passwd;.csv", f"nom;prenom;commune;instance;role;debut;fin\n{rows}\n"
                                    .encode())], today=date(2024, 12, 31))
    sheet = "instance;date;nom;prenom;commune;statut\n" + "\n".join(
        f"forum;2024-06-20;{name};Prénom;Mulhouse;présent" for name in placeholders)
    importer.import_sources(conn, [("presences.csv", sheet.encode())], today=date(2024, 12, 31))
    for placeholder, name in zip(placeholders, HOSTILE):
        conn.execute("UPDATE persons SET last_name = ? WHERE last_name = ?", [name, placeholder])
    assert sorted(row[0] for row in conn.execute("SELECT last_name FROM persons").fetchall()) == sorted(HOSTILE)
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


def test_the_import_refuses_hostile_names(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "hostile.duckdb")
    before = snapshot(conn)
    rows = "".join(f"{name.replace(';', ',')};Prénom;Mulhouse;forum;membre;2024-01-01;\n" for name in HOSTILE)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("m.csv", f"nom;prenom;commune;instance;role;debut;fin\n{rows}".encode())],
                                today=date(2024, 12, 31))
    rule = "refusé dans un nom : un nom ne contient que des lettres, espaces, traits d'union, apostrophes et points."
    # the first character of each that is no letter, space, hyphen, apostrophe or dot
    assert [str(p) for p in refused.value.problems] == [
        f"m.csv, ligne {line}, colonne A « nom » : caractère « {character} » {rule}"
        for line, character in ((2, ","), (3, "<"), (4, '"'))]
    assert snapshot(conn) == before
    conn.close()


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
    assert at.success[0].value.startswith("Données personnelles effacées. Le fichier de la base sera réécrit")
    conn = db.connect(copy)
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = ?", [person_id]).fetchall() == [("ANONYME",)]
    events = auth.audit_events(conn)
    assert (events["event"] == "erase_person").any()


# -- named data and markup (issue 17, points 3 and 6; issue 16, point 3) ------------------------------------------

PIXEL = "![pixel](http://example.invalid/p.png)"
LINK = "[Cliquez ici](http://example.invalid)"


def _hostile_copy(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """A copy of the demo where a member who gave a proxy in the last 12 months is called PIXEL and the holder LINK,
    written straight into the base (the import would refuse such names): (giver, holder)."""
    import shutil

    copy = tmp_path / "balisage.duckdb"
    shutil.copy(demo_file, copy)
    conn = db.connect(copy)
    giver, holder = conn.execute(
        "SELECT a.person_id, a.delegate_id FROM attendance a JOIN meetings m USING (meeting_id) "
        "WHERE a.status = 'proxy' AND m.meeting_date > DATE '2026-11-29' - INTERVAL 11 MONTH "
        "ORDER BY m.meeting_date DESC, a.person_id LIMIT 1").fetchall()[0]
    conn.execute("UPDATE persons SET first_name = ? WHERE person_id = ?", [PIXEL, giver])
    conn.execute("UPDATE persons SET first_name = ? WHERE person_id = ?", [LINK, holder])
    conn.close()
    monkeypatch.setenv("GOUVERNANCE_DB", str(copy))
    return giver, holder


def _fiche(at: AppTest, person_id: int) -> AppTest:
    conn = db.connect(db.db_path())
    label = people.persons(conn).set_index("person_id").loc[person_id, "label"]
    conn.close()
    at.selectbox(key="personne").select(label).run()
    assert not at.exception, at.exception
    return at


def _markdown_texts(at: AppTest) -> list[str]:
    """Every text the browser renders as markdown: text elements, alerts, labels and tooltips, st.table cells."""
    texts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error",
                                  "success") for e in getattr(at, kind)]
    texts += [text for m in at.metric for text in (m.label, m.proto.help)]
    texts += [e.label for e in at.expander]
    for table in at.table:
        texts += [str(c) for c in table.value.columns] + [str(v) for v in table.value.to_numpy().ravel()]
    return texts


def test_markup_in_names_is_shown_as_text(accounts: Path, demo_file: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    giver, _ = _hostile_copy(demo_file, tmp_path, monkeypatch)
    at = _fiche(_open(_app("lecture"), "elus"), giver)
    texts = _markdown_texts(at)
    hostile = [text for text in texts if "pixel" in text or "Cliquez" in text]
    # the heading of the fiche, and the convocations table naming the proxy holder
    assert any(text.startswith("### ") and "\\!\\[pixel\\]\\(http\\:" in text for text in hostile), hostile
    assert any("pouvoir à" in text and "\\[Cliquez ici\\]\\(http\\:" in text for text in hostile), hostile
    for text in hostile:
        assert "![pixel]" not in text and "](http" not in text and "http://" not in text, text
        assert not re.search(r"(?<!\\)\[Cliquez", text), text
    assert not any(m.allow_html for m in at.markdown)


def test_named_tables_have_no_download_for_lecture(accounts: Path) -> None:
    conn = db.connect(db.db_path())
    names = set(conn.execute("SELECT last_name FROM persons").df()["last_name"])
    person = int(conn.execute(
        "SELECT person_id FROM attendance WHERE status = 'proxy' ORDER BY person_id LIMIT 1").fetchall()[0][0])
    conn.close()
    reader = _open(_app("lecture"), "elus")

    def named(frame: pd.DataFrame) -> bool:
        return any(isinstance(v, str) and v.split(" ")[0] in names for v in frame.to_numpy().ravel())

    # the named list is a static table (no grid, hence no toolbar "Download as CSV"), with no download button
    assert not [d for d in reader.dataframe if named(d.value)]
    assert any("Nom" in t.value.columns and named(t.value) for t in reader.table)
    assert not [b for b in reader.get("download_button") if "elus" in (b.key or "")]
    _fiche(reader, person)
    assert not [d for d in reader.dataframe if named(d.value) or "Pouvoir ou suppléance" in d.value.columns]
    assert any("Pouvoir ou suppléance" in t.value.columns for t in reader.table)
    assert not [b for b in reader.get("download_button") if "convocations" in (b.key or "")]
    # the same page for saisie: the grid, and the downloads
    clerk = _fiche(_open(_app("saisie"), "elus"), person)
    assert any("Nom" in d.value.columns and named(d.value) for d in clerk.dataframe)
    assert any("Pouvoir ou suppléance" in d.value.columns for d in clerk.dataframe)
    keys = [b.key or "" for b in clerk.get("download_button")]
    assert "telecharger-elus" in keys and f"telecharger-convocations-{person}" in keys


@pytest.mark.parametrize("page", ["synthese", "instances"])
def test_other_named_tables_are_static_for_lecture(accounts: Path, page: str) -> None:
    reader = _open(_app("lecture"), page)
    column = {"synthese": "Alerte", "instances": "Nom"}[page]
    assert not [d for d in reader.dataframe if column in d.value.columns]
    assert any(column in t.value.columns for t in reader.table)
    clerk = _open(_app("saisie"), page)
    assert any(column in d.value.columns for d in clerk.dataframe)


# -- the login bound to the browser (issue 17, point 1; issue 16, point 4) ----------------------------------------

class _Browser:
    """What AppTest cannot be: browsers keeping the session cookie (auth.SESSION_COOKIE), one per AppTest. The server
    asks a browser to store or forget its cookie through widgets._store_browser_token and _forget_browser_token,
    and reads it back through widgets._browser_token; storing reloads the page. An AppTest whose session holds a
    local account at its first run, as if its browser had logged in, holds that account's cookie, unless `held` is
    False: then the session was resumed by a client without the cookie."""

    def __init__(self) -> None:
        self.jars: dict[int, str | None] = {}  # one browser per AppTest (its session state) -> its cookie
        self.held = True

    @staticmethod
    def _browser() -> int:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        assert ctx is not None
        return id(ctx.session_state._state)  # the AppTest's own SessionState (each run wraps it anew)

    @property
    def cookie(self) -> str | None:
        """The cookie of the browser that ran last (tests use one AppTest at a time)."""
        return next(reversed(self.jars.values()), None)

    @cookie.setter
    def cookie(self, value: str | None) -> None:
        self.jars[next(reversed(self.jars), 0)] = value

    def token(self) -> str | None:
        browser = self._browser()
        if browser not in self.jars:
            account = st.session_state.get("_compte")
            opened = self.held and account is not None and account.source == "local"
            self.jars[browser] = auth.open_session(account, auth.load_config()) if opened else None
        return self.jars[browser]

    def store(self, token: str) -> None:
        self.jars[self._browser()] = token
        st.rerun()  # the page reloads, and its new connection carries the cookie

    def forget(self, token: str) -> None:
        browser = self._browser()
        if self.jars.get(browser) == token:
            self.jars[browser] = None


@pytest.fixture(autouse=True)
def browser_cookie(monkeypatch: pytest.MonkeyPatch) -> _Browser:
    from analytics.ui import widgets as ui

    browser = _Browser()
    monkeypatch.setattr(ui, "_browser_token", browser.token)
    monkeypatch.setattr(ui, "_store_browser_token", browser.store)
    monkeypatch.setattr(ui, "_forget_browser_token", browser.forget)
    return browser


def _login_form(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"] and not at.metric


def test_a_session_resumed_without_the_cookie_gets_the_login_form(accounts: Path, browser_cookie: _Browser) -> None:
    # the Streamlit session holds the administrator's account, as one resumed with a stolen session id would
    browser_cookie.held = False
    at = _app("admin")
    at.run()
    at.switch_page(PAGES["administration"])
    at.run()
    assert not at.exception
    assert _login_form(at) and not _refused(at)
    assert "Administration" not in [t.value for t in at.title]
    assert "_compte" not in at.session_state  # nothing of the session it resumed stays


@pytest.mark.parametrize("cookie", ["", "forged", "eyJ1IjoiY29tcHRlLmFkbWluIiwiciI6ImFkbWluIn0.aaaa.bbbb"])
def test_a_forged_cookie_gets_the_login_form(accounts: Path, browser_cookie: _Browser, cookie: str) -> None:
    at = _app("admin")
    browser_cookie.held = False
    at.run()
    browser_cookie.cookie = cookie
    at.run()
    assert not at.exception and _login_form(at)
    assert not any("expirée" in i.value or "modifié" in i.value for i in at.info)  # a forgery is told nothing


def test_a_demoted_account_loses_its_session_at_its_next_action(accounts: Path, browser_cookie: _Browser) -> None:
    at = _open(_app("saisie"), "saisie")
    assert not _refused(at) and browser_cookie.cookie is not None
    auth.set_role("compte.saisie", "lecture", path=accounts)  # python -m analytics user role, while it is open
    at.run()
    assert _login_form(at)
    assert any("Votre compte a été modifié ou supprimé" in i.value for i in at.info)
    assert browser_cookie.cookie is None  # the browser was told to forget the cookie


def test_a_removed_account_loses_its_session(accounts: Path, browser_cookie: _Browser) -> None:
    at = _open(_app("lecture"), "elus")
    assert at.title[0].value == "Élus"
    auth.remove_user("compte.lecture", path=accounts)
    at.run()
    assert _login_form(at) and "_compte" not in at.session_state


def test_login_keeps_the_page_and_filters_of_the_link(accounts: Path, browser_cookie: _Browser) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.switch_page(PAGES["instances"])
    at.query_params["secteur"] = "Sud"
    at.run()
    assert _login_form(at)
    at.text_input[0].input("compte.lecture")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.metric
    assert at.title[0].value == "Instances"
    assert at.query_params["secteur"] in ("Sud", ["Sud"])
    assert browser_cookie.cookie is not None


def test_logout_closes_the_session_for_good(accounts: Path, browser_cookie: _Browser) -> None:
    at = _open(_app("lecture"), "synthese")
    token = browser_cookie.cookie
    [b for b in at.button if b.label == "Se déconnecter"][0].click().run()
    assert _login_form(at) and browser_cookie.cookie is None
    browser_cookie.cookie = token  # a copy of the cookie taken before the logout
    at.run()
    assert _login_form(at)
    events = auth.audit_events(db.connect(db.db_path()))
    assert ((events["event"] == "logout") & (events["username"] == "compte.lecture")).any()


def test_user_changes_made_while_the_dashboard_runs_reach_the_audit_trail(accounts: Path, demo_file: Path,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    from datetime import datetime

    copy = tmp_path / "audit.duckdb"
    shutil.copy(demo_file, copy)
    monkeypatch.setenv("GOUVERNANCE_DB", str(copy))
    at = _open(_app("lecture"), "synthese")
    # what `python -m analytics user role` leaves when the dashboard holds the database
    auth.defer_audit(copy, "cli:exploitant", "user_change", "compte paul modifié, rôle saisie",
                     at=datetime(2026, 11, 29, 8, 30))
    at.run()
    rows = db.connect(copy).execute(
        "SELECT logged_at, username, detail FROM audit_events WHERE event = 'user_change'").fetchall()
    assert rows == [(datetime(2026, 11, 29, 8, 30), "cli:exploitant", "compte paul modifié, rôle saisie")]
    at.run()  # moved once, not copied at every rerun
    moved = db.connect(copy).execute("SELECT count(*) FROM audit_events WHERE event = 'user_change'").fetchall()
    assert moved == [(1,)]


@pytest.mark.parametrize("held", [True, False])
def test_the_numbers_under_a_chart_check_the_session_again(accounts: Path, browser_cookie: _Browser,
                                                           held: bool) -> None:
    """Opening « Voir les chiffres » reruns only its fragment, which app.py's login check does not see: the
    fragment checks the session itself, and a browser without the session cookie gets neither table nor file."""
    def script() -> None:
        import pandas as pd

        from analytics.ui import widgets as ui

        ui._numbers(pd.DataFrame({"Commune": ["Mulhouse"], "Présence": [0.5]}), "essai", ("Présence",), (), True,
                    False)

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state["_compte"] = auth.Account("compte.lecture", "Compte lecture", "lecture", "local")
    browser_cookie.held = held
    at.run()
    assert not at.exception
    assert [df.value["Commune"].tolist() for df in at.dataframe] == ([["Mulhouse"]] if held else [])
    assert len(at.get("download_button")) == (2 if held else 0)
