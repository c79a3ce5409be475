"""Every path of the project and every GOUVERNANCE_* environment variable, read in one place."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

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
DEFAULT_MAX_UPLOAD_MB = 50
_TRUE = ("1", "true", "oui", "yes", "vrai", "on")


def db_path(path: str | Path | None = None) -> Path:
    """The database path: the argument, else $GOUVERNANCE_DB, else data/gouvernance.duckdb."""
    chosen = path or os.environ.get(DB_VARIABLE) or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def users_path(path: str | Path | None = None) -> Path:
    """The users file: the argument, else $GOUVERNANCE_USERS, else config/utilisateurs.toml."""
    chosen = path or os.environ.get(USERS_VARIABLE) or DEFAULT_USERS
    return Path(chosen).expanduser().resolve()


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


def today() -> date:
    """The day of the dashboard: $GOUVERNANCE_TODAY (AAAA-MM-JJ) if set, else the real day."""
    fixed = os.environ.get(TODAY_VARIABLE)
    return date.fromisoformat(fixed) if fixed else date.today()
