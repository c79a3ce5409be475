"""The only module of the engine that knows Streamlit: the per-process connection, the cached calls to the analytics,
the global filters bound to the URL, and the few rendering helpers every page shares (charts with their numbers,
headline figures, the "Aucune donnée" state).

Caching: every analytics call goes through `Data.__call__`, an st.cache_data entry keyed by the database path, the
data version (filter_rules.data_version: last import, logged changes and row counts, which move with every import or
recorded sheet) and the call's arguments. st.cache_data pickles what it returns, so each page gets its own copy to
modify.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import logging
import pickle
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from analytics import settings
from analytics.access import auth
from analytics.ingest import importer, recording, templates
from analytics.outputs import charts, margins
from analytics.outputs.export import to_excel_csv, to_xlsx
from analytics.rules import filters as filter_rules
from analytics.screens import escape_markdown, static_table, tables
from analytics.store import backup, backup_schedule, db
from analytics.wording.display import long_day

PERIOD_KEY = filter_rules.PERIOD_KEY
SECTOR_KEY = filter_rules.SECTOR_KEY


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # one connection per process; every unit of work opens its own cursor on it
    conn = db.connect(path)
    # the process's backup thread (schedule, requests of « backup »): started with the first connection, given
    # the new one after a restore, never one per session
    backup_schedule.start(Path(path), conn)
    return conn


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection, or a French error message and a stopped page."""
    try:
        return _connection(str(db.db_path()))
    except db.DatabaseUnavailable as exc:
        st.error(str(exc), icon="🔒")
        st.stop()


def _resolve(function: str) -> Callable:
    module, name = function.rsplit(":", 1)
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _name(function: Callable) -> str:
    return f"{function.__module__}:{function.__qualname__}"


def content_digest(value: pd.DataFrame | pd.Series) -> bytes:
    """A frame's cache key: the digest of its whole pickled content (index, columns, dtypes, every cell).

    Streamlit's own hash of a frame argument took 1,3 to 2 ms a frame, 10 to 20 times this, on every rerun of every
    cached table and figure built from frames. Two frames that differ never pickle alike, so a key never serves
    another frame's result; two equal frames laid out differently may, at worst, be computed twice."""
    return hashlib.blake2b(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), digest_size=20).digest()


_FRAMES: dict[str | type[Any], Callable[[Any], Any]] = {pd.DataFrame: content_digest, pd.Series: content_digest}


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=_FRAMES)
def _cached(path: str, version: tuple, function: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(function)(_connection(path), *args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=_FRAMES)
def _derived(function: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(function)(*args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs=_FRAMES)
def _figure_spec(function: str, args: tuple, kwargs: tuple) -> dict:
    spec = _resolve(function)(*args, **dict(kwargs)).to_dict()
    for trace in spec["data"]:
        _as_lists(trace)
    # margins wide enough for the labels: Plotly no longer widens them and draws the chart a second time
    return margins.reserve(spec)


def _as_lists(container: dict) -> None:
    """The numbers of a figure's trace as lists, in place, not the base64 arrays Plotly writes numpy data as:
    Plotly.js decodes those again at every Plotly.react and, finding new arrays, recalculates and redraws the whole
    chart (Streamlit hands each drawn figure back to it once)."""
    for name, value in container.items():
        if isinstance(value, dict) and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), np.dtype(value["dtype"]).newbyteorder("<"))
            if "shape" in value:
                array = array.reshape([int(size) for size in value["shape"].split(",")])
            container[name] = array.tolist()
        elif isinstance(value, dict):
            _as_lists(value)


def derived(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """A pure analytics function of cached frames (a table's French columns, a pivot…), cached by its arguments'
    content: a warm rerun does no pandas work."""
    return _derived(_name(function), args, tuple(sorted(kwargs.items())))


class _Built(go.Figure):
    """A figure analytics.charts built and validated once, kept as a dict in the cache.

    Building and validating a Plotly figure costs 10 to 25 ms, unpickling one even more; st.plotly_chart only calls
    `to_dict()` on a Figure, so this hands it the cached dict back without validating it again."""

    def __init__(self, spec: dict):  # go.Figure.__init__ is skipped on purpose: it would validate again
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def figure(builder: Callable, *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)` (an analytics.charts function), built once per distinct arguments."""
    return _Built(_figure_spec(_name(builder), args, tuple(sorted(kwargs.items()))))


class Data:
    """Cached access to the analytics: `data(module.function, *args)` runs `function(conn, *args)` once per data
    version and arguments."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, path: str):
        self.conn = conn
        self.path = path
        self.version = filter_rules.data_version(conn)

    def __call__(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        return _cached(self.path, self.version, _name(function), args, tuple(sorted(kwargs.items())))


def data() -> Data:
    """The cached analytics of the current database (one small version query per run)."""
    return Data(connection(), str(db.db_path()))


def _files_digest(sources: Sequence[tuple[str, bytes]]) -> bytes:
    """One digest of uploaded files, names and contents (55 MB in about 0,1 s)."""
    digest = hashlib.blake2b(digest_size=20)
    for name, content in sources:
        digest.update(f"{len(name)}:{name}:{len(content)}:".encode())
        digest.update(content)
    return digest.digest()


@st.cache_data(show_spinner=False, max_entries=8)
def _checked(path: str, version: tuple, files: bytes, as_of: date,
             _sources: Sequence[tuple[str, bytes]]) -> tuple[list[templates.Problem], dict[str, int]]:
    return importer.check_sources(_connection(path), _sources, as_of)


@st.cache_data(show_spinner=False, max_entries=8)
def _previewed(files: bytes, _sources: Sequence[tuple[str, bytes]]) -> list:
    return [shown for name, content in _sources for shown in templates.preview(name, content)]


def inspected(sources: Sequence[tuple[str, bytes]],
              as_of: date) -> tuple[list, list[templates.Problem], dict[str, int]]:
    """The preview of each uploaded file (templates.preview) and importer.check_sources, once per files and data
    version: a click elsewhere on the Saisie page neither digests twice nor checks a million rows again (an import
    checks them again anyway, in its own transaction)."""
    files = _files_digest(sources)
    problems, ready = _checked(str(db.db_path()), filter_rules.data_version(connection()), files, as_of, sources)
    return _previewed(files, sources), problems, ready


# -- global filters ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """The filters every page shares: the period (with its comparison), the sector, and the day of reference."""

    period: filter_rules.Period
    sector: str | None
    as_of: date
    mandate_start: date | None

    @property
    def sector_text(self) -> str:
        return "tous les secteurs" if self.sector is None else f"secteur {self.sector}"


# The last period and sector chosen in this session, kept apart from the widgets' own keys, and the page they were
# chosen on (see _carried); the page being run (opened_page, from app.py's navigation).
_KEPT = {PERIOD_KEY: "_periode_retenue", SECTOR_KEY: "_secteur_retenu"}
_KEPT_ON, _PAGE = "_filtres_page", "_page_ouverte"


def opened_page(page: Any) -> None:
    """Note the page st.navigation is about to run (its url_path), for the filters to know a page change."""
    st.session_state[_PAGE] = page.url_path


def _carried(key: str, choices: Sequence[str]) -> None:
    """Give the selector `key`, on a page just opened from another one, the last choice made there unless the URL
    names one. Each page draws the filters, so Streamlit 1.67 binds them to that page: a page opened from the menu
    gets neither the URL's parameters nor the widgets' values, and would show the defaults (seen in Chromium)."""
    kept, page = st.session_state.get(_KEPT[key]), st.session_state.get(_PAGE)
    if (key not in st.query_params and page is not None and page != st.session_state.get(_KEPT_ON)
            and kept in choices):
        st.session_state[key] = str(kept)
        # the address names it too, for a link copied from this page; Streamlit refuses that while the binding of
        # the page left is still registered (AppTest keeps it): the page then shows the choice, the address not
        with suppress(StreamlitAPIException):
            st.query_params[key] = str(kept)


def filters(source: Data | None = None) -> Filters:
    """The period and sector selectors in the sidebar, bound to the URL (?periode=…&secteur=…) so that a copied link
    reproduces the view, and carried from page to page within a session (_carried).

    Every page calls it first thing, so that a page works alone too (AppTest runs a page script by itself)."""
    source = source or data()
    as_of = settings.today()
    span = source(filter_rules.span)
    mandate = source(filter_rules.mandate_start, as_of)
    labels = filter_rules.period_labels(span["first_held"], as_of, mandate)
    _carried(PERIOD_KEY, labels)
    _carried(SECTOR_KEY, filter_rules.sector_labels())
    with st.sidebar:
        st.markdown("**Filtres**")
        label = st.selectbox("Période", labels, key=PERIOD_KEY, bind="query-params",
                             help="Les chiffres portent sur cette période ; la comparaison se fait avec la période "
                                  "précédente de même durée.")
        sector = st.selectbox("Secteur", filter_rules.sector_labels(), key=SECTOR_KEY, bind="query-params",
                              help="Personnes des communes du secteur, instances communes et instances du secteur.")
        st.session_state[_KEPT[PERIOD_KEY]], st.session_state[_KEPT[SECTOR_KEY]] = label, sector
        st.session_state[_KEPT_ON] = st.session_state.get(_PAGE)
        period = filter_rules.resolve(label or filter_rules.ROLLING, as_of, span["first_held"], mandate)
        st.caption(f"{period.text.capitalize()}.  \nSituation au {long_day(as_of)}.")
    return Filters(period, filter_rules.sector_code(sector), as_of, mandate)


# -- rendering helpers ------------------------------------------------------------------------------------------

def header(title: str, chosen: Filters, subtitle: str | None = None) -> None:
    """Page title and the line saying what the figures cover."""
    st.title(title)
    scope = f"{chosen.period.label} ({chosen.period.text}) · {chosen.sector_text}"
    st.caption(scope + (f" · {subtitle}" if subtitle else ""))


def require_data(source: Data, what: str = "séance") -> bool:
    """Show the "Aucune donnée" state and stop the page when no meeting was ever held."""
    if source(filter_rules.span)["meetings_held"]:
        return True
    st.info(f"**Aucune donnée** : la base ne contient encore aucune {what} tenue. Importez des fichiers de membres, "
            "de séances et de présences (ou lancez « make demo » pour la base de démonstration).", icon="ℹ️")
    st.stop()
    return False


def open_page(page: str, title: str) -> tuple[Data, Filters]:
    """The opening of a dashboard page: the role check, the data, the filters, the title, and the stop when no
    meeting was ever held."""
    require_page(page)
    source = data()
    chosen = filters(source)
    header(title, chosen)
    require_data(source)
    return source, chosen


def _field(figure: Any, name: str, default: Any = None) -> Any:
    """A field of a figure given as a dict or as an object (summary.Figure)."""
    if isinstance(figure, dict):
        return figure.get(name, default)
    return getattr(figure, name, default)


def metrics(figures: Sequence[Any], columns: int | None = None, border: bool = True) -> None:
    """A row of st.metric from objects with label, value, delta, delta_color, help (summary.Figure)."""
    cells = st.columns(columns or len(figures))
    for cell, figure in zip(cells, figures):
        delta = _field(figure, "delta")
        flat = delta is not None and str(delta).startswith("±")  # no change: grey, no arrow
        cell.metric(_field(figure, "label"), _field(figure, "value"), delta,
                    "off" if flat else _field(figure, "delta_color", "normal"), help=_field(figure, "help"),
                    border=border, delta_arrow="off" if flat else _field(figure, "delta_arrow", "auto"),
                    delta_description=_field(figure, "delta_description"))


def inert(text: Any) -> str:
    """Data (a name, a message holding one, a file name) made literal for markdown: st.markdown, st.caption, the
    alerts, labels and tooltips all render markdown (issue 17)."""
    return escape_markdown(text)


def table(frame: pd.DataFrame, *, rates: Iterable[str] = (), integers: Iterable[str] = (),
          height: int | Literal["auto", "stretch", "content"] = "auto", key: str | None = None,
          named: bool = False, widths: dict[str, int] | None = None) -> None:
    """A read-only table: rates (0–1) shown as French percentages, integers with thin spaces, dates in words,
    whatever the browser's language (`french`), missing values as an em dash, no index.

    A `named` table (it names people) is drawn, for a role without named exports, as a static st.table of escaped
    French text: the grid's toolbar would offer "Download as CSV" of it, and whether that button shows is the
    browser's choice, while what is sent is the server's. `widths` fixes some columns' widths in pixels, so that
    a long text column does not push the last ones out of sight at 1440 px."""
    if frame.empty:  # the grid would write "empty"
        st.caption("Aucune ligne à afficher.")
        return
    if named and not allowed("export_named", quiet=True):
        st.table(derived(static_table, frame, tuple(rates), tuple(integers)), hide_index=True,
                 height="content" if height == "auto" else height)
        return
    config = {name: st.column_config.Column(width=width) for name, width in (widths or {}).items()}
    st.dataframe(french(frame, rates, integers), hide_index=True, height=height, key=key, width="stretch",
                 placeholder="—", column_config=config or None)


def french(frame: pd.DataFrame, rates: Iterable[str] = (), integers: Iterable[str] = ()) -> Any:
    """The frame for st.dataframe with French cells whatever the browser's language ("2 577", "87,8 %",
    "3 mars 2025"): a Styler whose display texts the grid shows, while the numbers stay numbers and sort as such
    (the grid's own "localized" and "percent" formats follow the browser: "2,577", "87.8%" in English)."""
    if not (frame.columns.is_unique and frame.index.is_unique):  # a Styler needs unique labels
        return frame
    formats = tables.cell_formats(frame, tuple(rates), tuple(integers))
    return frame.style.format(formats, na_rep="—") if formats else frame


def download(frame: pd.DataFrame, name: str, label: str = "Télécharger (CSV pour Excel)", key: str | None = None,
             *, named: bool = False, rates: Iterable[str] = ()) -> None:
    """A CSV download for Excel (';', decimal comma, UTF-8 with BOM) and an XLSX one, that do not rerun the page;
    a table naming people is offered only to the roles allowed named exports (checked here, on the server: the
    buttons, hence the files, do not exist for the others). The `rates` columns are exported as percentages."""
    if named and not allowed("export_named", quiet=True):
        st.caption("Export nominatif réservé aux rôles saisie et administrateur.")
        return
    # a row of buttons as wide as their labels, wrapping on a phone: two fixed columns cut the CSV label
    row = st.container(horizontal=True, gap="small")
    rates = tuple(rates)
    row.download_button(label, lambda: to_excel_csv(frame, rates), file_name=f"{name}.csv", mime="text/csv",
                             icon="⬇️", on_click="ignore", key=key or f"telecharger-{name}")
    # files are built only when clicked: a page carries many downloads and reruns must stay fast
    row.download_button("Excel (XLSX)", lambda: to_xlsx(frame, rates=rates), file_name=f"{name}.xlsx",
                              icon="⬇️",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              on_click="ignore", key=f"{key or f'telecharger-{name}'}-xlsx")


def chart(figure: Any, numbers: pd.DataFrame, name: str, *, rates: Iterable[str] = (),
          integers: Iterable[str] = (), alt: str | None = None, expanded: bool = False, named: bool = False) -> None:
    """A Plotly chart in French, and under it its numbers: a table in an expander, with a CSV download; `named`
    when the numbers name people (the rule of `table` and `download`).

    The numbers are drawn only once their expander is open (0,2 to 0,3 s after the click): a closed expander's table
    and buttons cost the browser about 18 ms a chart at every page switch, the server about 8 ms (issue 15)."""
    # without Streamlit's theme: its template, made anew at every Plotly.react, had Plotly recalculate and redraw
    # each chart a second time right after its first draw; analytics.outputs.charts gives the same style itself
    st.plotly_chart(figure, config=charts.CONFIG, key=f"graphique-{name}", alt=alt, width="stretch", theme=None)
    _numbers(numbers, name, tuple(rates), tuple(integers), expanded, named)


@st.fragment
def _numbers(numbers: pd.DataFrame, name: str, rates: tuple[str, ...], integers: tuple[str, ...], expanded: bool,
             named: bool) -> None:
    # a fragment: opening the expander reruns only this, not the page and its charts; such a rerun skips app.py's
    # login check, so the session is checked again here
    box = st.expander("Voir les chiffres du graphique", expanded=expanded, key=f"chiffres-{name}", on_change="rerun")
    if box.open and account() is not None:
        with box:
            table(numbers, rates=rates, integers=integers, named=named)
            download(numbers, name, named=named, rates=rates)


def scroll_on_phone(name: str, min_width: int = 760) -> None:
    """On a screen narrower than `min_width` (a phone), the chart `name` (ui.chart's name) keeps that width and
    scrolls sideways instead of shrinking into a sliver whose labels overlap: for wide heatmaps. Call it before
    the chart."""
    scope = f".st-key-graphique-{name}"
    st.html(f"<style>@media (max-width: {min_width}px) {{ {scope} {{ overflow-x: auto; }}"
            f" {scope} > div {{ min-width: {min_width}px; }}"
            f' {scope}::before {{ content: "Faites glisser le graphique pour le voir en entier →"; position: sticky;'
            " left: 0; display: block; font-size: 0.8rem; color: #5F6B7A; } }</style>", width="content")


def file_uploader(label: str, types: Sequence[str], *, key: str, multiple: bool = False,
                  help: str | None = None) -> Any:
    """st.file_uploader speaking French: Streamlit 1.67 has no option for its button ("Upload"), its line of
    limits ("50MB per file • CSV, TXT, XLSX") nor the size of each file chip ("113.0B"), so a style sheet scoped to
    this uploader (its `st-key-…` class) hides those texts and writes "Parcourir" and "50 Mo par fichier · CSV, TXT,
    XLSX" in their place; the page says the files' sizes in French itself (file_size)."""
    limit = int(st.get_option("server.maxUploadSize"))
    st.html(f"<style>{uploader_css(key, limit, types)}</style>", width="content")
    return st.file_uploader(label, type=list(types), accept_multiple_files=multiple, key=key, help=help)


def uploader_css(key: str, limit_mb: int, types: Sequence[str]) -> str:
    """The style sheet of file_uploader: the English texts hidden (display: none, so that no screen reader nor
    copy reads them), their French in a ::after of their parent."""
    scope = f".st-key-{key}"
    limits = f"{limit_mb} Mo par fichier · " + ", ".join(t.upper() for t in types)
    dropzone = f'{scope} [data-testid="stFileUploaderDropzone"]'
    return (
        f'{dropzone} button [data-testid="stMarkdownContainer"] p {{ display: none; }}'
        f'{dropzone} button [data-testid="stMarkdownContainer"]::after {{ content: "Parcourir"; }}'
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}'
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{'
        f" content: {json.dumps(limits, ensure_ascii=False)}; font-size: 0.875rem; }}"
        f'{scope} [data-testid="stFileChipName"] + div {{ display: none; }}'
    )


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


def forget(key: str) -> None:
    """Drop a widget's state (a callback: "back to the reference values" of an editor)."""
    st.session_state.pop(key, None)


_Saved = TypeVar("_Saved")


def attempt(save: Callable[[], _Saved]) -> _Saved | None:
    """Run a form's save: its result, or None once its refusal is shown (each problem of an InvalidSheet as an
    error, a Conflict as a warning), the base unchanged."""
    try:
        return save()
    except recording.InvalidSheet as invalid:
        for problem in invalid.problems:
            st.error(inert(problem))
    except recording.Conflict as conflict:
        st.warning(inert(conflict))
    return None


# Streamlit 1.67's date field writes its empty segments in English ("dd / mm / yyyy") whatever the browser: each
# empty segment's text is made transparent and its French written over it, in the colour of Streamlit's placeholder
_DATE_SEGMENTS = {"day": "jj", "month": "mm", "year": "aaaa"}


def date_field(label: str, value: date | None, *, key: str, min_value: date | None = None,
               max_value: date | None = None, help: str | None = None) -> date | None:
    """st.date_input in French, day first ("jj/mm/aaaa" when empty)."""
    scope = f'.st-key-{key} [data-testid="stDateInputField"] [data-placeholder="true"]'
    css = f"{scope} {{ position: relative; color: transparent; }}" + "".join(
        f'{scope}[data-type="{segment}"]::after {{ content: "{text}"; position: absolute; left: 50%;'
        " transform: translateX(-50%); color: rgba(28, 36, 48, 0.7); }"
        for segment, text in _DATE_SEGMENTS.items())
    st.html(f"<style>{css}</style>", width="content")
    chosen = st.date_input(label, value=value, min_value=min_value, max_value=max_value, key=key, help=help,
                           format="DD/MM/YYYY")
    return chosen if isinstance(chosen, date) else None


# -- who is using the dashboard ---------------------------------------------------------------------------------

ACCOUNT_KEY = "_compte"


def _secrets_have_auth() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises when it is read
        return False


def gate(before_login: Callable[[], object] | None = None) -> auth.Account:
    """The logged-in account, checked again at every rerun; draws the login (local form or OpenID Connect) and stops
    the run until there is one. `before_login` runs just before the login is drawn: the app declares its pages there,
    so that a link to one of them keeps its page and filters through the login.

    A local account holds only with the session cookie its login gave the browser (auth.check_session): a client
    that resumes someone's Streamlit session without that cookie, or with a cookie that expired, was closed or
    names an account since removed or changed, gets the login form and nothing of the session it resumed."""
    config, mode = _auth_mode()
    _hold_database()
    _record_pending_audit()
    if mode == "demo":
        st.session_state[ACCOUNT_KEY] = auth.DEMO_ACCOUNT
        return auth.DEMO_ACCOUNT
    if mode == "oidc":
        current = st.session_state.get(ACCOUNT_KEY)
        # Streamlit binds an OpenID Connect login to its own signed cookie, and refuses a reconnection without it
        if current is not None and current.source == "oidc" and st.user.is_logged_in:
            return current
        st.session_state.pop(ACCOUNT_KEY, None)
        if before_login is not None:
            before_login()
        return _oidc_login(config)
    try:
        current, notice = _checked_session(config)
    except auth.ConfigError as exc:  # a session key too short
        st.error(str(exc), icon="🔒")
        st.stop()
    if current is not None:
        return current
    if before_login is not None:
        before_login()
    return _local_login(config, notice)


def _auth_mode() -> tuple[auth.AuthConfig, str]:
    """The users file and the mode it gives (oidc, local or demo); a French error and a stopped run if wrong."""
    try:
        config = _config()
        return config, auth.auth_mode(config, _secrets_have_auth(), auth.is_production(config))
    except (auth.ConfigError, auth.AuthNotConfigured) as exc:
        st.error(str(exc), icon="🔒")
        st.stop()


_CONFIGS: dict[tuple, auth.AuthConfig] = {}


def _config() -> auth.AuthConfig:
    """The users file, read again whenever it changes (account() checks the session against it at every call)."""
    path = auth.users_path()
    try:
        found = path.stat()
        stamp: tuple = (path, found.st_mtime_ns, found.st_size, found.st_ino)
    except FileNotFoundError:
        stamp = (path,)
    config = _CONFIGS.get(stamp)
    if config is None:
        config = auth.load_config(path)  # a file that does not load is never kept: its error shows at every run
        _CONFIGS.clear()
        _CONFIGS[stamp] = config
    return config


def _browser_token() -> str | None:
    """The session cookie this connection came with (None without one). Streamlit reads cookies when the websocket
    opens: a cookie set afterwards counts from the next page load."""
    value = st.context.cookies.get(auth.SESSION_COOKIE)
    return value if isinstance(value, str) and value else None


def _cookie_path() -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def _script(code: str) -> None:
    """Run our own JavaScript in the page (st.html, not iframed); nothing typed by a user ever goes in `code`."""
    st.html(f"<script>{code}</script>", unsafe_allow_javascript=True, width="content")


def _js(value: str) -> str:
    # a JavaScript string literal that cannot close the <script> element
    return json.dumps(value).replace("<", "\\u003c")


def _store_browser_token(token: str) -> None:
    """Give the browser its session cookie and reload the page, whose URL still names the page and the filters the
    user asked for: the new connection carries the cookie. SameSite=Strict: no other site's page can send it."""
    cookie = (f"{auth.SESSION_COOKIE}=${{token}}; Path=${{path}}; Max-Age={int(auth.SESSION_MAX.total_seconds())}"
              "; SameSite=Strict")
    _script(f"""
const token = {_js(token)}, path = {_js(_cookie_path())};
document.cookie = `{cookie}` + (location.protocol === "https:" ? "; Secure" : "");
if (document.cookie.split("; ").includes(`{auth.SESSION_COOKIE}=${{token}}`)) {{ location.reload(); }}
""")
    st.caption("Connexion… Si la page ne se recharge pas, autorisez les cookies de ce site dans le navigateur.")


def _forget_browser_token(token: str) -> None:
    """Remove from the browser a session cookie that no longer opens anything, unless another tab has since put a
    newer one in its place."""
    _script(f"""
const token = {_js(token)}, path = {_js(_cookie_path())};
if (document.cookie.split("; ").includes(`{auth.SESSION_COOKIE}=${{token}}`)) {{
  document.cookie = `{auth.SESSION_COOKIE}=; Path=${{path}}; Max-Age=0; SameSite=Strict`;
}}
""")


def _checked_session(config: auth.AuthConfig) -> tuple[auth.Account | None, str | None]:
    """The local account the browser's session cookie opens now (counted as an action), or None and what to tell
    the user. The Streamlit session keeps nothing of an account its connection cannot show the cookie of."""
    token = _browser_token()
    checked, notice = None, None
    if token is not None:
        try:
            checked = auth.check_session(token, config)
        except auth.SessionRefused as exc:
            notice = exc.notice
    held = st.session_state.get(ACCOUNT_KEY)
    if held is not None and (checked is None or held.username != checked.username or held.source != "local"):
        st.session_state.clear()  # a session resumed without its browser's cookie, or whose token ended
    if checked is not None:
        st.session_state[ACCOUNT_KEY] = checked
    return checked, notice


_LOG = logging.getLogger(__name__)


def _hold_database() -> None:
    """Open the process connection before any login, so that the server holds the base (and runs its backup thread)
    from its warm-up at start, not from the first login; a base that cannot open is said by the pages, after login
    (never to an anonymous visitor)."""
    try:
        _connection(str(db.db_path()))
    except db.DatabaseUnavailable:
        return


def _record_pending_audit() -> None:
    """Move into the audit trail the events of user commands run while this server held the database; never stops
    a page (they wait for the next rerun)."""
    if not settings.pending_audit_path().exists():
        return
    try:
        auth.record_pending_audit(_connection(str(db.db_path())), db.db_path())
    except (OSError, duckdb.Error, db.DatabaseUnavailable) as exc:
        _LOG.warning("audit events still waiting in %s: %s", settings.pending_audit_path(), exc)


def _claim_text(name: str) -> str | None:
    """A text claim of the OpenID Connect identity (email, name); None when absent or not a text."""
    value = st.user.get(name)
    return value if isinstance(value, str) else None


def _claim_flag(name: str) -> bool | None:
    """A boolean claim (email_verified); None when absent or not a boolean, which role_for_email treats alike."""
    value = st.user.get(name)
    return value if isinstance(value, bool) else None


def _oidc_login(config: auth.AuthConfig) -> auth.Account:
    st.title(settings.APP_NAME)
    if not st.user.is_logged_in:
        st.button("Se connecter", type="primary", on_click=st.login)
        st.stop()
    try:
        account = auth.oidc_login(connection(), config, _claim_text("email"), _claim_text("name"),
                                  _claim_flag("email_verified"))
    except auth.AccessDenied as exc:
        st.error(str(exc), icon="🔒")
        st.button("Se déconnecter", on_click=st.logout)
        st.stop()
    st.session_state[ACCOUNT_KEY] = account
    st.rerun()


def _local_login(config: auth.AuthConfig, notice: str | None = None) -> auth.Account:
    st.title(settings.APP_NAME)
    stale = _browser_token()
    if stale is not None:  # it did not open the dashboard: expired, closed, forged or for a changed account
        _forget_browser_token(stale)
    if notice:
        st.info(notice, icon="⏱️")
    place = st.empty()
    with place.form("connexion"):
        username = st.text_input("Identifiant")
        password = st.text_input("Mot de passe", type="password")
        sent = st.form_submit_button("Se connecter", type="primary")
    if sent:
        try:
            account = auth.authenticate(connection(), username, password, config)
        except auth.LoginDelayed as exc:
            st.error(str(exc), icon="⏳")
            st.stop()
        if account is not None:
            place.empty()
            # the page reloads with the cookie: this Streamlit session, which has no cookie, stays logged out
            _store_browser_token(auth.open_session(account, config))
            st.stop()
        st.error("Identifiant ou mot de passe incorrect.")
    st.stop()


def account() -> auth.Account | None:
    """The account of this browser session, checked again now (None before login): a local account only while
    this connection carries its session cookie, still valid for the same account and role."""
    current = st.session_state.get(ACCOUNT_KEY)
    if current is None or current.source != "local":
        return current
    token = _browser_token()
    if token is None:
        return None
    try:
        return auth.check_session(token, _config(), touch=False)
    except (auth.SessionRefused, auth.ConfigError):
        return None


def current_user() -> str:
    """The username written in the audit trail and the change history."""
    current = account()
    return current.username if current else "anonyme"


def _logout() -> None:
    current = account()  # checked: a client without the session's cookie cannot log its owner out
    st.session_state.pop(ACCOUNT_KEY, None)
    if current is None:
        return
    auth.audit(connection(), current.username, "logout")
    if current.source == "oidc":
        st.logout()
    token = _browser_token()
    if current.source == "local" and token is not None:
        # closed on the server (every tab sharing the cookie is logged out at its next action); the rerun this
        # click starts shows the login form, which removes the cookie from the browser
        auth.close_session(token, _config())


def account_box(current: auth.Account) -> None:
    """Who is logged in, with which role, and the logout button; the demo banner in demo mode."""
    with st.sidebar:
        st.caption(f"{current.name} · rôle {auth.ROLE_LABELS[current.role]}")
        if current.source != "demo":
            st.button("Se déconnecter", on_click=_logout, icon=":material/logout:")
    if current.source == "demo":
        st.warning(auth.DEMO_BANNER, icon=":material/science:")


def require_page(page: str) -> None:
    """Refuse the page (and record the refusal) when the account's role does not open it: checked on the server,
    whatever the URL typed."""
    current = account() or gate()  # a page script run alone (AppTest) logs in itself
    try:
        auth.enforce_page(connection(), current_user(), current.role if current else None, page)
    except auth.AccessDenied as exc:
        st.error(str(exc), icon="🔒")
        st.stop()


def allowed(action: str, *, quiet: bool = False) -> bool:
    """Whether the account may run `action` now (checked again when it runs, not only when a button is drawn);
    a refusal is recorded and, unless quiet, said."""
    current = account()
    role = current.role if current else None
    if quiet:
        return auth.can(role, action)
    try:
        auth.enforce(connection(), current_user(), role, action)
    except auth.AccessDenied as exc:
        st.error(str(exc), icon="🔒")
        return False
    return True


def restore_database(content: bytes) -> dict:
    """Replace the database with an uploaded backup: the process's connection is closed first, then reopened."""
    path = db.db_path()
    with backup_schedule.paused(path):  # no backup reads the connection while it closes
        _connection(str(path)).close()
        _connection.clear()
        st.cache_data.clear()
        return backup.restore_zip(content, path)
