"""Browser tests: the real app served by Streamlit, driven in Debian's Chromium through Playwright."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, require_chromium, shot, streamlit_server, wait_idle

from analytics.ingest import demo
from analytics.rules import attendance, filters
from analytics.screens import elus as people
from analytics.store import db

pytestmark = pytest.mark.browser


TODAY = date(2026, 11, 29)
# url path -> screenshot name (the Synthèse is the default page, at the root)
PAGES = {"": "synthese", "instances": "instances", "territoires": "territoires", "elus": "elus",
         "conseil": "conseil", "calendrier": "calendrier"}


@pytest.fixture(scope="module")
def database(demo_file: Path) -> Path:
    """The shared demo database."""
    return demo_file


@pytest.fixture(scope="module")
def person_label(database: Path) -> str:
    """The selector label of the person convened most often in the last 12 months (read before the server locks
    the database)."""
    conn = db.connect(database, read_only=True)
    try:
        start = filters.resolve(filters.ROLLING, TODAY).start
        busiest = attendance.counts(conn, start, TODAY, "person").sort_values("convened").iloc[-1]
        return people.persons(conn).set_index("person_id").loc[int(busiest["person_id"]), "label"]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(database: Path, person_label: str):
    require_chromium()
    # the dashboard's "today" is the demo's, so that pictures and figures do not drift with the calendar
    with streamlit_server(database, {filters.TODAY_VARIABLE: TODAY.isoformat()}) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    yield context.new_page()
    context.close()


def wait_rendered(page) -> None:
    """Wait until Streamlit has finished running the script (and drawing its charts)."""
    wait_idle(page)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0",
                           timeout=30_000)


def test_home_page_loads_without_error(server: str, page, tmp_path: Path) -> None:
    started = time.perf_counter()
    page.goto(server)
    wait_rendered(page)
    print(f"\nPremier affichage de l'accueil : {time.perf_counter() - started:.2f} s")
    assert page.locator('[data-testid="stException"]').count() == 0
    # the only message is the banner of the demo mode (no authentication configured)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert len(alerts) == 1 and "Mode démonstration :" in alerts[0]
    assert "Gouvernance m2A" in page.locator("h1").first.inner_text()
    assert page.get_by_text("Communes membres").count() == 1
    assert shot(page, "accueil", tmp_path).stat().st_size > 10_000


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _selectbox(page, label: str):
    """The sidebar or page selectbox whose label is `label`."""
    return page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).first


def _shown(page, label: str) -> str:
    """The value a selectbox shows (its text field, or its text when it has none)."""
    box = _selectbox(page, label)
    field = box.locator("input")
    return field.first.input_value() if field.count() else box.inner_text()


def _choose(page, label: str, option: str) -> None:
    _selectbox(page, label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_loads_without_error(server: str, page, tmp_path: Path, path: str) -> None:
    started = time.perf_counter()
    page.goto(f"{server}/{path}")
    wait_idle(page)
    print(f"\nPremier affichage de la page « {PAGES[path]} » : {time.perf_counter() - started:.2f} s")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    # every chart drew (Plotly's SVG is there) and speaks French
    assert page.locator(".js-plotly-plot").count() >= 1
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "None" not in text and "NaN" not in text
    assert shot(page, PAGES[path], tmp_path).stat().st_size > 10_000


def test_a_filter_change_updates_the_url(server: str, page) -> None:
    page.goto(server)
    wait_idle(page)
    before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    _choose(page, "Secteur", "Nord")
    page.wait_for_url("**secteur=Nord**")
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    page.wait_for_function(  # the rerun that the new filter starts may still be drawing
        "() => document.querySelector('[data-testid=stMain] [data-testid=stCaptionContainer]')"
        ".innerText.includes('secteur Nord')", timeout=30_000)
    assert "secteur Nord" in caption.inner_text()
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=stMetricValue]').innerText !== {before!r}")
    _choose(page, "Période", "Année 2025")
    page.wait_for_url("**periode=Ann*e+2025**")
    assert "secteur=Nord" in page.url


def test_a_copied_url_shows_the_same_filters(server: str, page) -> None:
    page.goto(f"{server}/territoires?periode=Ann%C3%A9e+2025&secteur=Sud")
    wait_idle(page)
    assert _shown(page, "Période") == "Année 2025"
    assert _shown(page, "Secteur") == "Sud"
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert "Année 2025" in caption and "secteur Sud" in caption
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_filters_follow_to_the_page_opened_from_the_menu(server: str, page) -> None:
    page.goto(server)  # `streamlit run` would greet a first deep link with its dialog (analytics.ui.serve does not)
    wait_idle(page)
    page.goto(f"{server}/instances?periode=Ann%C3%A9e+2025&secteur=Sud")
    wait_idle(page)
    page.get_by_role("link", name="Élus").click()
    page.wait_for_url("**/elus**")
    wait_idle(page)
    assert _shown(page, "Période") == "Année 2025"
    assert _shown(page, "Secteur") == "Sud"
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert "Année 2025" in caption and "secteur Sud" in caption
    # and the address says so, so that a link copied there shows what the page shows
    page.wait_for_url("**periode=Ann*e+2025**")
    assert "secteur=Sud" in page.url


def test_a_download_gives_a_csv_for_excel(server: str, page, tmp_path: Path) -> None:
    page.goto(f"{server}/calendrier")
    wait_idle(page)
    with page.expect_download() as download:
        page.locator('[data-testid="stDownloadButton"] button', has_text="CSV").last.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "jours-feries.csv"
    content = saved.read_bytes()
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Date;Jour férié;Propre à l'Alsace-Moselle"
    assert "Vendredi saint;oui" in text


def test_person_view_and_simulator(server: str, page, person_label: str, tmp_path: Path) -> None:
    page.goto(f"{server}/elus?" + urlencode({"personne": person_label}))
    wait_idle(page)
    name = person_label.split(" (")[0]
    assert page.get_by_role("heading", name=name).count() == 1
    assert page.locator('[data-testid="stMetricLabel"]').filter(has_text="Convocations").count() == 1
    assert shot(page, "elus-fiche", tmp_path).stat().st_size > 10_000

    # The seats simulator is edited on a canvas grid: double-clicking a cell proved flaky on a loaded 2-core CI
    # machine, so its arithmetic is covered by unit tests (tests/test_pages.py) and only the page is checked here.
    page.goto(f"{server}/conseil")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').filter(has_text="sièges changent").count() == 1


def test_lecture_gets_named_tables_without_download_and_names_as_text(browser, tmp_path: Path) -> None:
    """Issues 16.3 and 17.3/17.6, in a real browser: for a `lecture` account the named list of the Élus page and a
    person's convocations are static tables (no toolbar, hence no "Download as CSV"), with no download button;
    names holding markdown show as text: no image fetched, no link drawn."""
    from analytics.access import auth

    base = tmp_path / "balisage.duckdb"
    conn = db.connect(base)
    demo.build(conn, seed=2020, today=TODAY)
    giver, holder = conn.execute(
        "SELECT a.person_id, a.delegate_id FROM attendance a JOIN meetings m USING (meeting_id) "
        "WHERE a.status = 'proxy' AND m.meeting_date > DATE '2026-11-29' - INTERVAL 11 MONTH "
        "ORDER BY m.meeting_date DESC, a.person_id LIMIT 1").fetchall()[0]
    last_name = conn.execute("SELECT last_name FROM persons WHERE person_id = ?", [giver]).fetchall()[0][0]
    # straight into the base: the import refuses such names
    conn.execute("UPDATE persons SET first_name = ? WHERE person_id = ?",
                 ["![pixel](http://127.0.0.1:9/p.png) :smile: $x^2$", giver])
    conn.execute("UPDATE persons SET first_name = ? WHERE person_id = ?",
                 ["[Cliquez ici](http://example.invalid) www.example.com", holder])
    conn.close()
    users = tmp_path / "utilisateurs.toml"
    auth.set_password("lecteur", "correct horse battery", role="lecture", name="Lecteur", path=users)
    with streamlit_server(base, {filters.TODAY_VARIABLE: TODAY.isoformat(), "GOUVERNANCE_USERS": str(users)}) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(url)
        page.get_by_label("Identifiant").fill("lecteur")
        page.get_by_label("Mot de passe").fill("correct horse battery")
        page.get_by_role("button", name="Se connecter").click()
        wait_rendered(page)
        page.get_by_role("link", name="Élus").click()  # in the app: a reload would log out (issue 16.4)
        wait_idle(page)
        # the list is a static table, without the grid's toolbar; the grids left (the bands) name nobody
        named = page.locator('[data-testid="stTable"]').filter(has_text=last_name)
        expect(named.first)
        assert named.first.get_by_label("Download as CSV").count() == 0
        assert page.locator('[data-testid="stDataFrame"]').filter(has_text=last_name).count() == 0
        # and no grid offers the toolbar's own download (client.disableDataExport): only the checked buttons
        assert page.get_by_label("Download as CSV").count() == 0
        # the only downloads left are those of the bands chart's numbers, in its expander: not the list's
        downloads = page.locator('[data-testid="stDownloadButton"]')
        assert downloads.count() == page.locator('[data-testid="stExpander"] [data-testid="stDownloadButton"]').count()
        assert page.get_by_text("Export nominatif réservé").count() >= 1
        choice = page.locator('[data-testid="stSelectbox"]').filter(has_text="Personne").locator("input")
        choice.click()
        choice.fill("pixel")
        page.locator('[role="option"]').first.click()
        wait_idle(page)
        expect(page.locator("h3").filter(has_text="![pixel]"))
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("img").count() == 0 and main.locator(".katex").count() == 0
        assert [href for href in (a.get_attribute("href") for a in main.locator("a").all())
                if href and not href.startswith("#")] == []
        expect(page.locator('[data-testid="stTable"] td').filter(has_text="pouvoir à").filter(has_text="Cliquez ici"))
        numbers = page.locator('[data-testid="stExpander"]').filter(has_text="Pouvoir ou suppléance")
        assert numbers.locator('[data-testid="stDownloadButton"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').filter(has_text="Cliquez").count() == 0
        assert page.locator('[data-testid="stDataFrame"]').filter(has_text=last_name).count() == 0
        assert not [address for address in fetched if "127.0.0.1:9/" in address or "example." in address]
        context.close()


# -- local accounts: the login bound to the browser, kept across a reload (issues 17.1 and 16.4) ------------------

LOCAL_PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def local_server(demo_file: Path, browser, tmp_path_factory: pytest.TempPathFactory):
    """The dashboard with local accounts, on a copy of the demo base (the module's other server holds the shared
    one), warmed up: Streamlit's very first run in a process says "Page not found" to a link to a page."""
    import shutil

    from analytics.access import auth

    folder = tmp_path_factory.mktemp("comptes")
    base = folder / "demo.duckdb"
    shutil.copy(demo_file, base)
    users = folder / "utilisateurs.toml"
    auth.set_password("adele", LOCAL_PASSWORD, role="admin", name="Adèle Admin", path=users)
    auth.set_password("lea", LOCAL_PASSWORD, role="lecture", name="Léa Lecture", path=users)
    env = {filters.TODAY_VARIABLE: TODAY.isoformat(), "GOUVERNANCE_USERS": str(users)}
    with streamlit_server(base, env) as url:
        context = browser.new_context()
        warm = context.new_page()
        warm.goto(url)
        warm.get_by_label("Identifiant").wait_for(timeout=60_000)
        context.close()
        yield url


def _session_ids(page) -> list[str]:
    """The Streamlit session ids the server gives `page`, read from its websocket's NewSession messages."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    found: list[str] = []

    def frame(payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # a frame that is not a whole message
            return
        if message.HasField("new_session") and message.new_session.initialize.session_id:
            found.append(message.new_session.initialize.session_id)

    page.on("websocket", lambda socket: socket.on("framereceived", frame))
    return found


def _local_login(page, username: str) -> None:
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(LOCAL_PASSWORD)
    with page.expect_navigation(timeout=30_000):  # the cookie is set, then the page reloads with it
        page.get_by_role("button", name="Se connecter").click()
    wait_idle(page)


def _login_form_shown(page) -> bool:
    return page.get_by_label("Mot de passe").count() == 1 and page.get_by_role("button", name="Se connecter").count()


def test_a_local_login_survives_a_reload_and_keeps_the_link(local_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = context.new_page()
    link = f"{local_server}/instances?periode=Ann%C3%A9e+2025&secteur=Sud"
    page.goto(link)
    page.get_by_label("Identifiant").wait_for(timeout=30_000)
    assert page.locator('[role="dialog"]').count() == 0  # no "Page not found" before login
    assert page.url == link  # the address bar keeps the page and filters the link named
    _local_login(page, "lea")
    assert page.url == link
    assert page.get_by_role("heading", name="Instances").count() == 1
    assert _shown(page, "Secteur") == "Sud" and _shown(page, "Période") == "Année 2025"
    cookie = [c for c in context.cookies() if c["name"] == "gouvernance_session"]
    assert len(cookie) == 1 and cookie[0]["sameSite"] == "Strict" and cookie[0]["expires"] > time.time() + 11 * 3600
    page.reload()  # F5
    wait_idle(page)
    assert page.url == link and not _login_form_shown(page)
    assert page.get_by_role("heading", name="Instances").count() == 1
    assert page.get_by_text("Léa Lecture · rôle lecture").count() == 1
    # logging out ends the session and removes the cookie: a reload shows the login form
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Identifiant").wait_for(timeout=30_000)
    page.wait_for_function("() => !document.cookie.includes('gouvernance_session=')", timeout=10_000)
    page.reload()
    page.get_by_label("Identifiant").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    context.close()


def test_a_stolen_session_id_without_the_cookie_gets_the_login_form(local_server: str, browser) -> None:
    # the administrator logs in and opens the Administration page
    victim = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    page = victim.new_page()
    ids = _session_ids(page)
    page.goto(f"{local_server}/administration")
    page.get_by_label("Identifiant").wait_for(timeout=30_000)
    _local_login(page, "adele")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    stolen = ids[-1]  # the session of the page as it is now, after the reload that followed the login
    page.close()  # the session waits on the server for its browser to reconnect (server.disconnectedSessionTTL)

    # another browser, without the cookie, reconnects its websocket with that session id, as Streamlit's own
    # frontend does after a network cut (the id also shows in upload URLs, hence in proxy logs)
    attacker = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    attacker.add_init_script(f"""(() => {{
        const Real = window.WebSocket, stolen = {stolen!r};
        function Stolen(url, protocols) {{
            const tokens = Array.from(protocols || []).slice(0, 2);
            tokens.push(stolen);
            return new Real(url, tokens);
        }}
        Stolen.prototype = Real.prototype;
        Object.assign(Stolen, {{CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3}});
        window.WebSocket = Stolen;
    }})();""")
    intruder = attacker.new_page()
    resumed = _session_ids(intruder)
    intruder.goto(f"{local_server}/administration")
    intruder.get_by_label("Identifiant").wait_for(timeout=30_000)
    wait_idle(intruder)
    assert stolen in resumed  # the server did resume the administrator's Streamlit session…
    assert _login_form_shown(intruder)  # …and shows the login form, nothing of the session
    text = intruder.locator('[data-testid="stMain"]').inner_text()
    assert "Journal d'audit" not in text and "Adèle" not in text
    assert intruder.get_by_role("heading", name="Administration").count() == 0
    assert intruder.get_by_role("button", name="Se déconnecter").count() == 0
    attacker.close()
    victim.close()


# -- issue 16: the map offline, French whatever the browser, the phone ------------------------------------------

# Streamlit's grid draws its cells on a canvas: the texts it draws are read through fillText
_RECORD_CANVAS_TEXT = """
window.__drawn = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  window.__drawn.push(String(text));
  return fillText.call(this, text, ...rest);
};
"""


def _offline_context(browser, **options):
    """A browser context that reaches the dashboard only: every other request is refused and counted."""
    context = browser.new_context(**options)
    refused: list[str] = []

    def route(request_route) -> None:
        host = request_route.request.url.split("/")[2].split(":")[0] if "://" in request_route.request.url else ""
        if request_route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            refused.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    return context, refused


def test_the_map_draws_the_communes_offline(server: str, browser) -> None:
    context, refused = _offline_context(browser, viewport={"width": 1440, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(server)  # (the first link after a server start shows Streamlit's "Page not found" over the page)
        wait_idle(page)
        page.goto(f"{server}/territoires")
        wait_idle(page)
        area = page.locator('[data-testid="stElementContainer"].st-key-graphique-communes-carte .js-plotly-plot')
        # one filled SVG shape per commune (no tile, no geo trace: nothing to fetch)
        fills = area.locator("g.trace.scatter path.js-fill")
        assert fills.count() >= 39
        assert all((f.get_attribute("d") or "").count("L") > 3 for f in fills.all()[:5])  # real outlines
        # hovering a commune names it
        fills.nth(20).scroll_into_view_if_needed()
        box = fills.nth(20).bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
        page.wait_for_timeout(500)
        assert "%" in (area.locator(".hoverlayer").text_content() or "")
        # the indicator selector recolours the map and names its scale
        page.locator('[data-testid="stButtonGroup"]').get_by_text("Représentation", exact=True).click()
        page.wait_for_url("**indicateur=Repr*sentation**")
        wait_idle(page)
        page.wait_for_function("() => [...document.querySelectorAll('.st-key-graphique-communes-carte .cbtitle')]"
                               ".some(e => e.textContent.includes('représentation'))", timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
    # the page asked for nothing outside the dashboard's own server
    assert not [url for url in refused if "plot" in url or "tile" in url or "geo" in url], refused


def test_an_english_browser_reads_french_tables_and_widgets(server: str, browser, tmp_path: Path) -> None:
    import re

    from browser import ROOT

    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    context.add_init_script(_RECORD_CANVAS_TEXT)
    page = context.new_page()
    try:
        page.goto(f"{server}/territoires")
        wait_idle(page)
        # the communes' table (Population, rates); the charts' numbers are drawn only once their expander is open
        page.locator('[data-testid="stDataFrame"]').nth(2).scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        drawn = page.evaluate("window.__drawn")
        assert any(re.fullmatch(r"\d{1,3}\u202f\d{3}", t) for t in drawn), "thousands with a thin space"
        assert any(re.fullmatch(r"\d{1,3},\d\u00a0%", t) for t in drawn), "percentages written 88,1 %"
        assert not [t for t in drawn if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+(\.\d+)?%|0\.\d+", t)], "English"

        page.goto(f"{server}/saisie")
        wait_idle(page)
        main = page.locator('[data-testid="stMain"]')
        uploader = page.locator(".st-key-fichiers-import")
        assert "Upload" not in main.inner_text() and "per file" not in main.inner_text()
        button_text = uploader.locator('button [data-testid="stMarkdownContainer"]').first
        assert button_text.evaluate("e => getComputedStyle(e, '::after').content") == '"Parcourir"'
        limits = uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"] > div').first
        assert "Mo par fichier" in limits.evaluate("e => getComputedStyle(e, '::after').content")
        sample = tmp_path / "membres.csv"
        sample.write_bytes((ROOT / "data" / "templates" / "membres.csv").read_bytes())
        uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sample))
        page.wait_for_selector('[data-testid="stFileChip"]')
        page.get_by_text("octets", exact=False).first.wait_for(timeout=30_000)  # the rerun the file starts
        wait_idle(page)
        chips = uploader.inner_text()
        assert "membres.csv" in chips and not re.search(r"\d+(\.\d+)?\s?[KM]?B\b", chips), chips
        sizes = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="octets").all_inner_texts()
        assert any(re.search(r"membres\W?\.csv \(\d+ octets\)", text) for text in sizes), sizes

        page.get_by_role("tab", name="Saisir une séance").click()
        page.wait_for_timeout(1500)
        assert "None" not in page.evaluate("window.__drawn"), "the Mandataire cells are empty, not None"
        shot(page, "saisie-en-us", tmp_path)

        page.goto(f"{server}/administration")
        wait_idle(page)
        for tab in ("Journal d'audit", "Comptes"):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(500)
            assert "empty" not in page.locator('[data-testid="stMain"]').inner_text().lower()
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_a_phone_gets_a_closed_menu_scrolling_heatmaps_and_no_toolbar(server: str, browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(server)
        wait_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]').bounding_box()
        assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0, "the menu starts closed on a phone"
        sizes = page.evaluate("() => { const e = document.querySelector('.st-key-graphique-cadence-par-mois');"
                              " return [e.scrollWidth, e.clientWidth]; }")
        assert sizes[0] > sizes[1] >= 300, "the bodies × months heatmap scrolls sideways"
        # no Plotly toolbar to cover a legend, on any chart
        page.locator(".js-plotly-plot").first.hover()
        assert page.locator(".modebar-btn").count() == 0
        shot(page, "synthese-telephone", tmp_path)
        page.goto(f"{server}/territoires")
        wait_idle(page)
        sizes = page.evaluate("() => { const e = document.querySelector('.st-key-graphique-communes-instances');"
                              " return [e.scrollWidth, e.clientWidth]; }")
        assert sizes[0] > sizes[1]
        assert page.locator(".modebar-btn").count() == 0
    finally:
        context.close()


# Elements whose text the browser cuts with an ellipsis ("Télécharger (CSV pour Ex…"): laid out wider than their box
# with text-overflow: ellipsis; what the user types (inputs, text areas, the selectboxes' fields) is not a label.
_CUT_LABELS = """() => [...document.querySelectorAll('[data-testid=stMain] *, [data-testid=stSidebar] *')]
  .filter(e => {
    if (e.closest('input, textarea')) return false;
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return style.textOverflow === 'ellipsis' && box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.textContent.trim())"""


# per chart on the page: its name and the sides whose margin Plotly had to widen (drawing the chart twice)
_WIDENED = """() => [...document.querySelectorAll('.js-plotly-plot')].map(g => {
  const given = g._fullLayout.margin, drawn = g._fullLayout._size;
  const name = g.closest('[class*="st-key-graphique-"]').className.match(/st-key-graphique-(\\S+)/)[1];
  return [name, ['l', 'r', 't', 'b'].filter(side => drawn[side] > given[side])]; })"""


@pytest.mark.parametrize("path", ["instances", "territoires"])
def test_charts_come_with_room_for_their_labels_and_are_drawn_once(server: str, page, path: str) -> None:
    """At 1440 px, every chart's labels fit in the margins it was sent with (analytics.outputs.margins): Plotly
    neither widens a margin nor, for that, draws the chart a second time (issue 15)."""
    page.goto(f"{server}/{path}")
    wait_idle(page)
    charts = page.evaluate(_WIDENED)
    assert len(charts) >= 4
    assert [(name, sides) for name, sides in charts if sides] == []


@pytest.mark.parametrize("path", [*PAGES, "fiche", "saisie", "administration"])
def test_no_label_is_cut_at_1440_px(server: str, browser, person_label: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{server}/elus?" + urlencode({"personne": person_label}) if path == "fiche"
                  else f"{server}/{path}")
        wait_idle(page)
        assert page.evaluate("() => document.querySelectorAll('[data-testid=stMain] *').length") > 50
        # the checker itself: a label made too narrow for its text is found
        probe = page.evaluate(
            "() => { const e = document.createElement('div'); e.textContent = 'Télécharger (CSV pour Excel)';"
            " e.style.cssText = 'width: 60px; flex: none; overflow: hidden; white-space: nowrap;"
            " text-overflow: ellipsis'; document.querySelector('[data-testid=stMainBlockContainer]').append(e);"
            " return true; }")
        assert probe and page.evaluate(_CUT_LABELS) == ["Télécharger (CSV pour Excel)"]
        page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').lastElementChild.remove()")
        cut = {"page": page.evaluate(_CUT_LABELS)}
        for tab in page.get_by_role("tab").all()[1:]:  # Saisie and Administration: every tab
            tab.click()
            page.wait_for_timeout(800)
            cut[tab.inner_text()] = page.evaluate(_CUT_LABELS)
        assert not any(cut.values()), cut
    finally:
        context.close()


def test_a_link_to_a_page_opened_first_after_a_start_shows_that_page(demo_file: Path, browser, tmp_path: Path) -> None:
    # the server as deployed (analytics.ui.serve), just started: `streamlit run app.py` would answer this first
    # visit with its English « Page not found » dialog (a pages/ folder next to app.py: issue 15)
    import os
    import shutil
    import subprocess
    import sys
    import urllib.request

    from browser import ROOT, free_port

    base = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, base)  # the module's other server holds the shared base
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DB": str(base), filters.TODAY_VARIABLE: TODAY.isoformat()}
    server = subprocess.Popen([sys.executable, "-m", "analytics.ui.serve", "--server.port", str(port),
                               "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, "le serveur s'est arrêté"
                time.sleep(0.3)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/territoires")
        wait_idle(page)
        assert page.locator("h1").first.inner_text().startswith("Territoires")
        assert page.url == f"{url}/territoires"
        page.wait_for_timeout(1000)  # the dialog would come with the messages of that first run
        assert page.locator('[role="dialog"]').count() == 0
        text = page.locator("body").inner_text()
        assert "Page not found" not in text and "You have requested" not in text
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_benchmarks_other_people_get_what_a_browser_gets(server: str) -> None:
    """The websocket client the speed benchmark's other people browse with (tests/ws_client.py) costs the server what
    a browser does: it gets the page it asked for, with its widgets, and the Période it chose, in the figures'
    caption and in the URL parameters."""
    from ws_client import Session

    session = Session(server, timeout=60)
    try:
        session.open("")
        assert "Période" in session.choices and "Instance" not in session.choices
        session.page("instances")
        assert session.current == "instances" and "Instance" in session.choices
        assert session.choices["Période"].value == filters.ROLLING
        session.choose("Période", "Année 2025")
        assert session.query["periode"] == "Année 2025"
        assert any(text.startswith("Année 2025 (") for text in session.texts), session.texts
        session.page("elus")
        assert session.current == "elus" and "Personne" in session.choices
        assert any(text.startswith("Élus") for text in session.texts), session.texts
    finally:
        session.close()
