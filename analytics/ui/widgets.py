"""The only module of the engine that knows Streamlit: the per-process connection, the cached calls to the analytics,
the global filters bound to the URL, and the few rendering helpers every page shares (charts with their numbers,
headline figures, the "Aucune donnée" state).

Caching: every analytics call goes through `Data.__call__`, an st.cache_data entry keyed by the database path, the
data version (filter_rules.data_version: last import, logged changes and row counts, which move with every import or
recorded sheet) and the call's arguments. st.cache_data pickles what it returns, so each page gets its own copy to
modify.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import settings
from analytics.access import auth
from analytics.outputs import charts
from analytics.outputs.export import to_excel_csv, to_xlsx
from analytics.rules import filters as filter_rules
from analytics.store import backup, db
from analytics.wording.display import long_day
from analytics.wording.format import percent

PERIOD_KEY = filter_rules.PERIOD_KEY
SECTOR_KEY = filter_rules.SECTOR_KEY


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # one connection per process; every unit of work opens its own cursor on it
    return db.connect(path)


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


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached(path: str, version: tuple, function: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(function)(_connection(path), *args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=1024)
def _derived(function: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(function)(*args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=512)
def _figure_spec(function: str, args: tuple, kwargs: tuple) -> dict:
    return _resolve(function)(*args, **dict(kwargs)).to_dict()


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


def filters(source: Data | None = None) -> Filters:
    """The period and sector selectors in the sidebar, bound to the URL (?periode=…&secteur=…) so that a copied link
    reproduces the view and the choice follows the user from page to page.

    Every page calls it first thing, so that a page works alone too (AppTest runs a page script by itself)."""
    source = source or data()
    as_of = settings.today()
    span = source(filter_rules.span)
    mandate = source(filter_rules.mandate_start, as_of)
    labels = filter_rules.period_labels(span["first_held"], as_of, mandate)
    with st.sidebar:
        st.markdown("**Filtres**")
        label = st.selectbox("Période", labels, key=PERIOD_KEY, bind="query-params",
                             help="Les chiffres portent sur cette période ; la comparaison se fait avec la période "
                                  "précédente de même durée.")
        sector = st.selectbox("Secteur", filter_rules.sector_labels(), key=SECTOR_KEY, bind="query-params",
                              help="Personnes des communes du secteur, instances communes et instances du secteur.")
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


def table(frame: pd.DataFrame, *, rates: Iterable[str] = (), integers: Iterable[str] = (),
          height: int | Literal["auto", "stretch", "content"] = "auto", key: str | None = None) -> None:
    """A read-only table: rates (0–1) shown as French percentages, large integers with thin spaces (the browser's
    French locale formats them), no index."""
    config: dict[str, Any] = {}
    frame = frame.copy()
    for column in rates:
        if frame[column].isna().any():
            # the grid would print a missing rate as "None": show the French text with an em dash instead
            frame[column] = frame[column].map(percent)
            continue
        config[column] = st.column_config.NumberColumn(column, format="percent", step=0.001)
    for column in integers:
        config[column] = st.column_config.NumberColumn(column, format="localized", step=1)
    st.dataframe(frame, hide_index=True, column_config=config, height=height, key=key, width="stretch")


def download(frame: pd.DataFrame, name: str, label: str = "Télécharger (CSV pour Excel)", key: str | None = None,
             *, named: bool = False) -> None:
    """A CSV download for Excel (';', decimal comma, UTF-8 with BOM) that does not rerun the page; a table naming
    people is offered only to the roles allowed named exports."""
    if named and not allowed("export_named", quiet=True):
        st.caption("Export nominatif réservé aux rôles saisie et administrateur.")
        return
    csv_cell, xlsx_cell = st.columns(2, width=440)
    csv_cell.download_button(label, lambda: to_excel_csv(frame), file_name=f"{name}.csv", mime="text/csv", icon="⬇️",
                             on_click="ignore", key=key or f"telecharger-{name}")
    # files are built only when clicked: a page carries many downloads and reruns must stay fast
    xlsx_cell.download_button("Excel (XLSX)", lambda: to_xlsx(frame), file_name=f"{name}.xlsx", icon="⬇️",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              on_click="ignore", key=f"{key or f'telecharger-{name}'}-xlsx")


def chart(figure: Any, numbers: pd.DataFrame, name: str, *, rates: Iterable[str] = (),
          integers: Iterable[str] = (), alt: str | None = None, expanded: bool = False) -> None:
    """A Plotly chart in French, and under it its numbers: a table in an expander, with a CSV download."""
    st.plotly_chart(figure, config=charts.CONFIG, key=f"graphique-{name}", alt=alt, width="stretch")
    with st.expander("Voir les chiffres du graphique", expanded=expanded):
        table(numbers, rates=rates, integers=integers)
        download(numbers, name)


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


def forget(key: str) -> None:
    """Drop a widget's state (a callback: "back to the reference values" of an editor)."""
    st.session_state.pop(key, None)


# -- who is using the dashboard ---------------------------------------------------------------------------------

ACCOUNT_KEY = "_compte"


def _secrets_have_auth() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises when it is read
        return False


def gate() -> auth.Account:
    """The logged-in account; draws the login (local form or OpenID Connect) and stops the run until there is one."""
    try:
        config = auth.load_config()
        mode = auth.auth_mode(config, _secrets_have_auth(), auth.is_production(config))
    except (auth.ConfigError, auth.AuthNotConfigured) as exc:
        st.error(str(exc), icon="🔒")
        st.stop()
    if mode == "demo":
        st.session_state[ACCOUNT_KEY] = auth.DEMO_ACCOUNT
        return auth.DEMO_ACCOUNT
    current = st.session_state.get(ACCOUNT_KEY)
    if current is not None and current.source == mode:
        return current
    return _oidc_login(config) if mode == "oidc" else _local_login(config)


def _claim_text(name: str) -> str | None:
    """A text claim of the OpenID Connect identity (email, name); None when absent or not a text."""
    value = st.user.get(name)
    return value if isinstance(value, str) else None


def _claim_flag(name: str) -> bool | None:
    """A boolean claim (email_verified); None when absent or not a boolean, which role_for_email treats alike."""
    value = st.user.get(name)
    return value if isinstance(value, bool) else None


def _oidc_login(config: auth.AuthConfig) -> auth.Account:
    st.title("Gouvernance m2A")
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


def _local_login(config: auth.AuthConfig) -> auth.Account:
    st.title("Gouvernance m2A")
    with st.form("connexion"):
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
            st.session_state[ACCOUNT_KEY] = account
            st.rerun()
        st.error("Identifiant ou mot de passe incorrect.")
    st.stop()


def account() -> auth.Account | None:
    """The account of this browser session (None before login)."""
    return st.session_state.get(ACCOUNT_KEY)


def current_user() -> str:
    """The username written in the audit trail and the change history."""
    current = account()
    return current.username if current else "anonyme"


def _logout() -> None:
    current = st.session_state.pop(ACCOUNT_KEY, None)
    if current is not None:
        auth.audit(connection(), current.username, "logout")
        if current.source == "oidc":
            st.logout()


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
    _connection(str(path)).close()
    _connection.clear()
    st.cache_data.clear()
    return backup.restore_zip(content, path)
