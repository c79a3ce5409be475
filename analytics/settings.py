"""Every path of the project, every GOUVERNANCE_* environment variable and the dashboard's name, read in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

APP_NAME = "Gouvernance m2A"  # the dashboard's title, in the browser's tab before and after Streamlit has run
ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "analytics"
DATA_DIR = ROOT / "data"
SQL_DIR = PACKAGE_DIR / "sql"
MIGRATIONS_DIR = PACKAGE_DIR / "store" / "migrations"
FONT_DIR = PACKAGE_DIR / "assets" / "fonts"
DEFAULT_DB = DATA_DIR / "gouvernance.duckdb"
DEFAULT_USERS = ROOT / "config" / "utilisateurs.toml"

DB_VARIABLE = "GOUVERNANCE_DB"
USERS_VARIABLE = "GOUVERNANCE_USERS"
PRODUCTION_VARIABLE = "GOUVERNANCE_PRODUCTION"
PASSWORD_VARIABLE = "GOUVERNANCE_PASSWORD"
MAX_UPLOAD_VARIABLE = "GOUVERNANCE_MAX_UPLOAD_MB"
# Tests and screenshots fix the day the dashboard believes it is; in production it is the real day.
TODAY_VARIABLE = "GOUVERNANCE_TODAY"
# The key that signs the login cookies of local accounts (issue 17.1): this variable if set (32 characters at least,
# the same on every server of one deployment), else a random key the server writes beside the users file.
SESSION_KEY_VARIABLE = "GOUVERNANCE_SESSION_KEY"
SESSION_KEY_FILE = ".session-key"
# beside the users file too: the sessions closed by "Se déconnecter" (so that a restart does not reopen them), and
# the audit events of "python -m analytics user …" run while the dashboard held the database
CLOSED_SESSIONS_FILE = ".sessions-fermees"
PENDING_AUDIT_FILE = ".audit-en-attente.jsonl"
DEFAULT_MAX_UPLOAD_MB = 50
# The plausible range of any date the forms and the importer accept (issue 17.8): a year like 9999 is a typing slip,
# and it would overflow the date arithmetic of the outputs (ICS, periods).
EARLIEST_DAY = date(1945, 1, 1)
LATEST_DAY = date(2100, 12, 31)
# The backups the server keeps while it runs (issue 18.1): the folder (unset: no schedule), the hour of the day
# (server's local time) and how many of them are kept
BACKUP_DIR_VARIABLE = "GOUVERNANCE_BACKUP_DIR"
BACKUP_HOUR_VARIABLE = "GOUVERNANCE_BACKUP_HOUR"
BACKUP_KEEP_VARIABLE = "GOUVERNANCE_BACKUP_KEEP"
DEFAULT_BACKUP_HOUR = 2
DEFAULT_BACKUP_KEEP = 7
_TRUE = ("1", "true", "oui", "yes", "vrai", "on")


def db_path(path: str | Path | None = None) -> Path:
    """The database path: the argument, else $GOUVERNANCE_DB, else data/gouvernance.duckdb."""
    chosen = path or os.environ.get(DB_VARIABLE) or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def users_path(path: str | Path | None = None) -> Path:
    """The users file: the argument, else $GOUVERNANCE_USERS, else config/utilisateurs.toml."""
    chosen = path or os.environ.get(USERS_VARIABLE) or DEFAULT_USERS
    return Path(chosen).expanduser().resolve()


def session_key_path(users: str | Path | None = None) -> Path:
    """The file of the key that signs the login cookies: .session-key beside the users file."""
    return users_path(users).parent / SESSION_KEY_FILE


def session_key_from_environment() -> str | None:
    """$GOUVERNANCE_SESSION_KEY, when set and not empty."""
    return os.environ.get(SESSION_KEY_VARIABLE) or None


def closed_sessions_path(users: str | Path | None = None) -> Path:
    """The sessions closed by a logout (until they would have expired): beside the users file."""
    return users_path(users).parent / CLOSED_SESSIONS_FILE


def pending_audit_path(users: str | Path | None = None) -> Path:
    """The audit events waiting for the database (one JSON object a line): beside the users file."""
    return users_path(users).parent / PENDING_AUDIT_FILE


def production_requested() -> bool:
    """$GOUVERNANCE_PRODUCTION set to 1/true/oui/yes/vrai/on."""
    return os.environ.get(PRODUCTION_VARIABLE, "").strip().lower() in _TRUE


def is_true(text: str) -> bool:
    """Whether a configuration word means yes."""
    return text.strip().lower() in _TRUE


def password_from_environment() -> str | None:
    """$GOUVERNANCE_PASSWORD, for scripted account creation."""
    return os.environ.get(PASSWORD_VARIABLE)


def max_upload_mb() -> int:
    """The largest file the dashboard accepts, in megabytes ($GOUVERNANCE_MAX_UPLOAD_MB, default 50)."""
    try:
        return max(1, int(os.environ.get(MAX_UPLOAD_VARIABLE, DEFAULT_MAX_UPLOAD_MB)))
    except ValueError:
        return DEFAULT_MAX_UPLOAD_MB


def backup_dir() -> Path | None:
    """The folder of the scheduled backups ($GOUVERNANCE_BACKUP_DIR), None when unset or empty."""
    chosen = os.environ.get(BACKUP_DIR_VARIABLE, "").strip()
    return Path(chosen).expanduser() if chosen else None


def backup_hour() -> int:
    """The hour of the daily backup, 0 to 23, server time ($GOUVERNANCE_BACKUP_HOUR, default 2)."""
    return _bounded(BACKUP_HOUR_VARIABLE, DEFAULT_BACKUP_HOUR, 0, 23)


def backup_keep() -> int:
    """How many scheduled backups are kept, at least 1 ($GOUVERNANCE_BACKUP_KEEP, default 7)."""
    return _bounded(BACKUP_KEEP_VARIABLE, DEFAULT_BACKUP_KEEP, 1, 10_000)


def _bounded(variable: str, default: int, low: int, high: int) -> int:
    # a value that is not a whole number in range falls back to the default (the schedule says so in its log)
    try:
        value = int(os.environ.get(variable, "").strip() or default)
    except ValueError:
        return default
    return value if low <= value <= high else default


def today() -> date:
    """The day of the dashboard: $GOUVERNANCE_TODAY (AAAA-MM-JJ) if set, else the real day."""
    fixed = os.environ.get(TODAY_VARIABLE)
    return date.fromisoformat(fixed) if fixed else date.today()
