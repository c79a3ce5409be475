"""Access control, engine side: roles and what they allow, local accounts and their configuration file, password
checks with a growing delay after failures, OpenID Connect e-mail mapping, and the audit trail.

No Streamlit here: the UI glue asks these functions, and every action checks the role again when it runs.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
import json
import math
import os
import re
import secrets
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from analytics import settings
from analytics.store.sql import query
from analytics.store.transaction import transaction

# ---------------------------------------------------------------------------------------------------------------
# Roles and what they allow

ROLES = ("lecture", "saisie", "admin")
ROLE_LABELS = {"lecture": "lecture", "saisie": "saisie", "admin": "administrateur"}

# Every page of the dashboard and the least role that opens it.
PAGE_ROLES: dict[str, str] = {
    "synthese": "lecture",
    "instances": "lecture",
    "territoires": "lecture",
    "elus": "lecture",
    "sieges": "lecture",
    "calendrier": "lecture",
    "saisie": "saisie",
    "administration": "admin",
}
PAGE_LABELS = {
    "synthese": "Synthèse", "instances": "Instances", "territoires": "Territoires", "elus": "Élus",
    "sieges": "Sièges", "calendrier": "Calendrier", "saisie": "Saisie", "administration": "Administration",
}

# Every action and the least role that may run it (issue 6): lecture reads the dashboards and the monthly pack;
# saisie also imports, records and corrects meetings and exports named data; admin also changes the catalogue,
# thresholds and sectors, manages users, backs up, restores and erases a person.
ACTION_ROLES: dict[str, str] = {
    "dashboards": "lecture",
    "monthly_pack": "lecture",
    "export": "lecture",  # aggregated figures only: no person's name
    "import": "saisie",
    "record_meeting": "saisie",
    "correct_meeting": "saisie",
    "export_named": "saisie",
    "catalogue": "admin",
    "thresholds": "admin",
    "sectors": "admin",
    "users": "admin",
    "backup": "admin",
    "restore": "admin",
    "audit_log": "admin",
    "erase_person": "admin",
}
ACTION_LABELS = {
    "dashboards": "consulter les tableaux de bord",
    "monthly_pack": "télécharger le dossier mensuel",
    "export": "exporter des indicateurs",
    "import": "importer des fichiers",
    "record_meeting": "saisir une séance",
    "correct_meeting": "corriger une séance",
    "export_named": "exporter des données nominatives",
    "catalogue": "modifier le catalogue des instances",
    "thresholds": "modifier les seuils d'assiduité",
    "sectors": "modifier les secteurs",
    "users": "gérer les utilisateurs",
    "backup": "sauvegarder la base",
    "restore": "restaurer une sauvegarde",
    "audit_log": "consulter le journal d'audit",
    "erase_person": "effacer les données d'une personne",
}


class AccessDenied(PermissionError):
    """The role does not allow the page or action; the message is French and meant for the user."""

    def __init__(self, message: str, *, role: str | None = None, needed: str | None = None, what: str = ""):
        super().__init__(message)
        self.role, self.needed, self.what = role, needed, what


def allows(role: str | None, needed: str) -> bool:
    """Whether `role` is at least `needed` in lecture < saisie < admin (no role or an unknown one allows nothing)."""
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}; expected one of {ROLES}")
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def can(role: str | None, action: str) -> bool:
    """Whether `role` may run `action` (a key of ACTION_ROLES)."""
    return allows(role, _needed(ACTION_ROLES, action, "action"))


def can_open(role: str | None, page: str) -> bool:
    """Whether `role` may open `page` (a key of PAGE_ROLES)."""
    return allows(role, _needed(PAGE_ROLES, page, "page"))


def require(role: str | None, action: str) -> None:
    """Raise AccessDenied unless `role` may run `action`."""
    needed = _needed(ACTION_ROLES, action, "action")
    if not allows(role, needed):
        raise AccessDenied(_denied_text(f"« {ACTION_LABELS[action]} »", role, needed),
                           role=role, needed=needed, what=action)


def require_page(role: str | None, page: str) -> None:
    """Raise AccessDenied unless `role` may open `page`."""
    needed = _needed(PAGE_ROLES, page, "page")
    if not allows(role, needed):
        raise AccessDenied(_denied_text(f"la page « {PAGE_LABELS[page]} »", role, needed),
                           role=role, needed=needed, what=page)


def enforce(conn: duckdb.DuckDBPyConnection, username: str, role: str | None, action: str) -> None:
    """require(), recording a refusal in the audit trail before raising AccessDenied."""
    _audited(conn, username, role, f"action {action}", lambda: require(role, action))


def enforce_page(conn: duckdb.DuckDBPyConnection, username: str, role: str | None, page: str) -> None:
    """require_page(), recording a refusal in the audit trail before raising AccessDenied."""
    _audited(conn, username, role, f"page {page}", lambda: require_page(role, page))


def _audited(conn: duckdb.DuckDBPyConnection, username: str, role: str | None, what: str,
             check: Callable[[], None]) -> None:
    # one place records the refusals of actions and pages alike, so that the audit trail words them the same way
    try:
        check()
    except AccessDenied:
        audit(conn, username, "refused", f"{what} (rôle {role or 'aucun'})")
        raise


def _needed(table: dict[str, str], key: str, kind: str) -> str:
    # an unknown key is a programming error: fail loudly rather than guess a role
    if key not in table:
        raise ValueError(f"unknown {kind} {key!r}; expected one of {sorted(table)}")
    return table[key]


def _denied_text(what: str, role: str | None, needed: str) -> str:
    yours = f"votre rôle : {ROLE_LABELS[role]}" if role in ROLES else "vous n'avez aucun rôle"
    return f"Accès refusé : {what} demande le rôle {ROLE_LABELS[needed]} ou supérieur ({yours})."


# ---------------------------------------------------------------------------------------------------------------
# Configuration file

DEFAULT_USERS = settings.DEFAULT_USERS
# account identifiers: lower-case, no spaces, usable as a login and safe in any message
_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
_ARGON2ID = "$argon2id$"
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing a megabyte-long "password" would only cost time
_TRUE = ("1", "true", "oui", "yes", "vrai", "on")


class ConfigError(ValueError):
    """The users file is unreadable or holds a wrong value; the message is French."""


@dataclass
class LocalAccount:
    """A local account as stored in the users file (the hash never leaves this module's callers)."""

    role: str
    name: str
    hash: str


@dataclass
class AuthConfig:
    """The users file: local accounts, OpenID Connect e-mail and domain rules, the production switch."""

    accounts: dict[str, LocalAccount] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)   # lower-cased address → role
    domains: dict[str, str] = field(default_factory=dict)  # lower-cased domain → role (lecture only)
    production: bool = False
    path: Path | None = None


@dataclass(frozen=True)
class Account:
    """A logged-in user: identifier, display name, role, and how they logged in (local, oidc or demo)."""

    username: str
    name: str
    role: str
    source: str


def users_path(path: str | Path | None = None) -> Path:
    """The users file: the argument, else $GOUVERNANCE_USERS, else config/utilisateurs.toml."""
    return settings.users_path(path)


def load_config(path: str | Path | None = None) -> AuthConfig:
    """Read and check the users file; a missing file is an empty configuration (no account)."""
    target = users_path(path)
    if not target.exists():
        return AuthConfig(path=target)
    try:
        with target.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Fichier des utilisateurs {target} illisible : {exc}.") from exc
    except OSError as exc:
        raise ConfigError(f"Fichier des utilisateurs {target} illisible : {exc.strerror}.") from exc
    return _parse(data, target)


def _parse(data: dict, target: Path) -> AuthConfig:
    # strict: a misspelt section or key ([compte.x], rôle = …) must not silently leave an account without its role
    def fail(text: str) -> ConfigError:
        return ConfigError(f"Fichier des utilisateurs {target} : {text}")

    _only(data, {"production", "comptes", "oidc"}, "", fail)
    config = AuthConfig(path=target)

    production = _table(data, "production", fail)
    _only(production, {"exiger_authentification"}, "[production]", fail)
    required = production.get("exiger_authentification", False)
    if not isinstance(required, bool):
        raise fail("[production] exiger_authentification doit valoir true ou false.")
    config.production = required

    for username, entry in _table(data, "comptes", fail).items():
        where = f"[comptes.{username}]"
        if not _IDENTIFIER.fullmatch(username):
            raise fail(f"identifiant « {username} » invalide (minuscules, chiffres, . _ @ -, 64 caractères au plus).")
        if not isinstance(entry, dict):
            raise fail(f"{where} doit être une section.")
        _only(entry, {"role", "nom", "hash"}, where, fail)
        role, name, hashed = entry.get("role"), entry.get("nom", username), entry.get("hash")
        if role not in ROLES:
            raise fail(f"{where} role « {role} » inconnu (attendu : {', '.join(ROLES)}).")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"{where} nom vide.")
        if not isinstance(hashed, str) or not hashed.startswith(_ARGON2ID) or not hashed.isascii():
            raise fail(f"{where} hash absent ou invalide : définissez le mot de passe avec "
                       f"« python -m analytics user passwd {username} ».")
        config.accounts[username] = LocalAccount(role, name.strip(), hashed)

    oidc = _table(data, "oidc", fail)
    _only(oidc, {"adresses", "domaines"}, "[oidc]", fail)
    for email, role in _table(oidc, "adresses", fail, "[oidc.adresses]").items():
        if "@" not in email or role not in ROLES:
            raise fail(f"[oidc.adresses] « {email} » = « {role} » : adresse ou rôle invalide.")
        config.emails[email.strip().lower()] = role
    for domain, role in _table(oidc, "domaines", fail, "[oidc.domaines]").items():
        if "@" in domain or not domain.strip():
            raise fail(f"[oidc.domaines] « {domain} » : écrivez le domaine seul, sans @.")
        # a domain rule admits people nobody named: never more than reading
        if role != "lecture":
            raise fail(f"[oidc.domaines] « {domain} » : une règle de domaine ne peut donner que le rôle lecture ; "
                       "nommez les adresses qui ont besoin de saisie ou admin dans [oidc.adresses].")
        config.domains[domain.strip().lower()] = role
    return config


def _table(data: dict, key: str, fail: Callable[[str], ConfigError], where: str | None = None) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise fail(f"{where or '[' + key + ']'} doit être une section.")
    return value


def _only(data: dict, allowed: set[str], where: str, fail: Callable[[str], ConfigError]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        place = f" dans {where}" if where else ""
        raise fail(f"clé(s) inconnue(s){place} : {', '.join(unknown)} (attendu : {', '.join(sorted(allowed))}).")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, everything else as is."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            # a lone surrogate (from an undecodable command line) cannot be written as UTF-8
            raise ConfigError("Texte invalide : caractère non représentable en UTF-8.")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dumps_config(config: AuthConfig) -> str:
    """The users file as TOML text (keys always quoted, so that any identifier or address is valid TOML)."""
    lines = [
        "# Utilisateurs de Gouvernance m2A. Fichier réécrit par « python -m analytics user … » et par la page",
        "# Administration : les commentaires ne sont pas conservés. Format documenté dans",
        "# config/utilisateurs.exemple.toml. Ne versionnez jamais ce fichier.",
        "",
        "[production]",
        f"exiger_authentification = {'true' if config.production else 'false'}",
    ]
    for username in sorted(config.accounts):
        account = config.accounts[username]
        lines += ["", f"[comptes.{_toml_string(username)}]",
                  f"nom = {_toml_string(account.name)}",
                  f"role = {_toml_string(account.role)}",
                  f"hash = {_toml_string(account.hash)}"]
    if config.emails:
        lines += ["", "[oidc.adresses]"]
        lines += [f"{_toml_string(email)} = {_toml_string(role)}" for email, role in sorted(config.emails.items())]
    if config.domains:
        lines += ["", "[oidc.domaines]"]
        lines += [f"{_toml_string(domain)} = {_toml_string(role)}" for domain, role in sorted(config.domains.items())]
    return "\n".join(lines) + "\n"


def save_config(config: AuthConfig, path: str | Path | None = None) -> Path:
    """Write the users file atomically, readable by its owner only; return its path."""
    target = users_path(path or config.path)
    text = dumps_config(config)
    _parse(tomllib.loads(text), target)  # never write a file that would not load back
    target.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target then rename: a crash leaves the old file or the new one, never half of one
    handle, temporary = tempfile.mkstemp(prefix=".utilisateurs-", suffix=".toml", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)  # password hashes: no one else needs to read them
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    config.path = target
    return target


# ---------------------------------------------------------------------------------------------------------------
# Passwords and local accounts

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB, 3 passes, 4 lanes) with a
# random 16-byte salt per hash: two hashes of the same password differ.
_HASHER = PasswordHasher()


class PasswordRefused(ValueError):
    """A password that does not meet the rules; the message is French."""


def hash_password(password: str) -> str:
    """A salted argon2id hash of `password` (checked against the rules first)."""
    check_password(password)
    return _HASHER.hash(password)


def check_password(password: str, username: str | None = None) -> None:
    """Raise PasswordRefused for a password under 12 characters, absurdly long, or equal to the identifier."""
    if len(password) < MIN_PASSWORD:
        raise PasswordRefused(f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins.")
    if len(password) > MAX_PASSWORD:
        raise PasswordRefused(f"Mot de passe trop long : {MAX_PASSWORD} caractères au plus.")
    if username is not None and password.strip().lower() == username.lower():
        raise PasswordRefused("Le mot de passe ne doit pas être l'identifiant.")


def verify_password(hashed: str, password: str) -> bool:
    """Whether `password` matches the argon2 hash (a malformed hash matches nothing)."""
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):  # a non-ASCII hash cannot even be parsed
        return False


@cache
def _dummy_hash() -> str:
    # verified when the account is unknown, so that an unknown identifier costs as much time as a wrong password
    return _HASHER.hash(os.urandom(16).hex())


def normalize_username(username: str) -> str:
    """The identifier as stored: trimmed and lower-cased."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """The normalized identifier; ConfigError (French message) if it is not a valid one."""
    normalized = normalize_username(username)
    if not _IDENTIFIER.fullmatch(normalized):
        raise ConfigError(f"Identifiant « {username} » invalide : minuscules, chiffres et . _ @ - seulement, "
                          "64 caractères au plus, sans espace.")
    return normalized


def set_password(username: str, password: str, role: str | None = None, name: str | None = None,
                 path: str | Path | None = None) -> Account:
    """Set the password of an account, creating it if needed (role lecture unless given); return the account."""
    username = check_username(username)
    check_password(password, username)
    if role is not None and role not in ROLES:
        raise ConfigError(f"Rôle « {role} » inconnu (attendu : {', '.join(ROLES)}).")
    config = load_config(path)
    current = config.accounts.get(username)
    new_role = role or (current.role if current else "lecture")
    new_name = (name.strip() if name and name.strip() else None) or (current.name if current else username)
    _keep_an_admin(config, username, new_role)
    config.accounts[username] = LocalAccount(new_role, new_name, _HASHER.hash(password))
    save_config(config, users_path(path))
    return Account(username, new_name, new_role, "local")


def set_role(username: str, role: str | None = None, name: str | None = None,
             path: str | Path | None = None) -> Account:
    """Change the role and/or display name of an existing account."""
    username = normalize_username(username)
    if role is not None and role not in ROLES:
        raise ConfigError(f"Rôle « {role} » inconnu (attendu : {', '.join(ROLES)}).")
    config = load_config(path)
    current = config.accounts.get(username)
    if current is None:
        raise ConfigError(f"Compte « {username} » inconnu.")
    new_role = role or current.role
    new_name = (name.strip() if name and name.strip() else None) or current.name
    _keep_an_admin(config, username, new_role)
    config.accounts[username] = LocalAccount(new_role, new_name, current.hash)
    save_config(config, users_path(path))
    return Account(username, new_name, new_role, "local")


def remove_user(username: str, path: str | Path | None = None) -> None:
    """Remove a local account (never the last administrator)."""
    username = normalize_username(username)
    config = load_config(path)
    if username not in config.accounts:
        raise ConfigError(f"Compte « {username} » inconnu.")
    _keep_an_admin(config, username, None)
    del config.accounts[username]
    save_config(config, users_path(path))


def _keep_an_admin(config: AuthConfig, username: str, new_role: str | None) -> None:
    # without an administrator nobody can manage users from the dashboard; and removing every account would
    # silently turn the application back into the open demo mode
    admins = {u for u, a in config.accounts.items() if a.role == "admin"}
    if admins == {username} and new_role != "admin":
        raise ConfigError(f"« {username} » est le dernier administrateur : nommez d'abord un autre administrateur.")


def users_table(config: AuthConfig) -> pd.DataFrame:
    """The local accounts for display: identifiant, nom, rôle (never the hashes)."""
    rows = [(u, a.name, a.role) for u, a in sorted(config.accounts.items())]
    return pd.DataFrame(rows, columns=["identifiant", "nom", "role"])


# ---------------------------------------------------------------------------------------------------------------
# Logging in

FAILURES_BEFORE_DELAY = 3
FAILURE_WINDOW = timedelta(hours=1)
MAX_DELAY_SECONDS = 15 * 60
# failed attempts with a malformed identifier (often a password typed in the wrong field) share one name in the
# audit trail, so that no such text is stored
_INVALID_USERNAME = "(identifiant invalide)"
# Streamlit runs each session in a thread: without this lock, many sessions trying one identifier at the same
# instant would all pass the delay check before any of their failures is recorded. One check at a time costs
# a few tens of milliseconds per login, nothing for the few dozen users of the dashboard.
_LOGIN_LOCK = threading.Lock()


class LoginDelayed(Exception):
    """Too many failed logins for this identifier: wait `seconds` before trying again (French message)."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(f"Trop d'essais : réessayez dans {_duration(seconds)}.")


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def login_delay(conn: duckdb.DuckDBPyConnection, username: str, now: datetime | None = None) -> int:
    """Seconds to wait before `username` may try again (0: now): after 3 consecutive failures within the hour,
    2 ** (failures - 3) seconds from the last failure, at most 15 minutes."""
    now = now or datetime.now()
    row = conn.cursor().execute(query("auth_login_failures"),
                                {"username": _audit_name(username), "since": now - FAILURE_WINDOW}).fetchall()[0]
    failures, last_failure = row
    if failures < FAILURES_BEFORE_DELAY:
        return 0
    wait = min(2 ** (failures - FAILURES_BEFORE_DELAY), MAX_DELAY_SECONDS)
    remaining = (last_failure + timedelta(seconds=wait) - now).total_seconds()
    # a failure logged "in the future" (the clock went back) still waits no longer than the cap
    return min(math.ceil(remaining), MAX_DELAY_SECONDS) if remaining > 0 else 0


def authenticate(conn: duckdb.DuckDBPyConnection, username: str, password: str, config: AuthConfig,
                 now: datetime | None = None) -> Account | None:
    """Check a local login; record 'login' or 'login_failed'; raise LoginDelayed while the identifier must wait.

    The delay applies to unknown identifiers too, and an unknown identifier costs a hash check like a known one,
    so neither the answer nor its timing tells whether an account exists."""
    now = now or datetime.now()
    name = _audit_name(username)
    with _LOGIN_LOCK:
        delay = login_delay(conn, username, now)
        if delay:
            # refused without checking the password, and not recorded: a script hammering the form must not be
            # able to fill the audit trail, nor to lengthen the wait beyond what its real attempts earned
            raise LoginDelayed(delay)
        account = config.accounts.get(normalize_username(username))
        if account is None:
            verify_password(_dummy_hash(), password)
            audit(conn, name, "login_failed", "compte inconnu", at=now)
            return None
        if not verify_password(account.hash, password):
            audit(conn, name, "login_failed", "mot de passe incorrect", at=now)
            return None
        audit(conn, name, "login", "compte local", at=now)
    return Account(name, account.name, account.role, "local")


def _audit_name(username: str) -> str:
    normalized = normalize_username(username)
    return normalized if _IDENTIFIER.fullmatch(normalized) else _INVALID_USERNAME


def role_for_email(config: AuthConfig, email: str | None, verified: bool | None = None) -> str | None:
    """The role of an OpenID Connect e-mail: its own entry, else its domain's rule (lecture), else None.

    `verified` is the identity provider's email_verified claim: False refuses any access; a domain rule applies
    only when it is True, since it admits people nobody named."""
    if not email or verified is False:
        return None
    address = email.strip().lower()
    if address.count("@") != 1:
        return None
    if address in config.emails:
        return config.emails[address]
    domain = address.rsplit("@", 1)[1]
    # exact domain only: neither "x.mulhouse-alsace.fr" nor "mulhouse-alsace.fr.example.com"
    if verified is True and domain in config.domains:
        return config.domains[domain]
    return None


def oidc_login(conn: duckdb.DuckDBPyConnection, config: AuthConfig, email: str | None, name: str | None = None,
               verified: bool | None = None, now: datetime | None = None) -> Account:
    """The account of a user logged in by OpenID Connect, recording 'login'; AccessDenied (recorded) without a role."""
    role = role_for_email(config, email, verified)
    address = (email or "").strip().lower() or "(adresse absente)"
    if role is None:
        audit(conn, address, "refused", "connexion OIDC : adresse sans rôle", at=now)
        raise AccessDenied(f"Accès refusé : l'adresse {address} n'a accès à aucun rôle. "
                           "Demandez à un administrateur de l'ajouter.", what="login")
    audit(conn, address, "login", "OpenID Connect", at=now)
    return Account(address, (name or "").strip() or address, role, "oidc")


# ---------------------------------------------------------------------------------------------------------------
# Browser sessions of local accounts (issues 16.4 and 17.1)
#
# A successful local login gives the browser a token, kept in a cookie: an itsdangerous URL-safe serializer signs
# (HMAC-SHA256) the identifier, the role, a fingerprint of the account's password hash and a random session id,
# with the time of the login. The dashboard checks the cookie of the connection at every rerun: a client that
# reconnects with someone's Streamlit session id but without their cookie gets the login form, and a token stops
# opening anything when its signature is wrong, 12 hours after the login, after 8 hours without any action, after
# "Se déconnecter", or as soon as the account is removed, changes role or password.

SESSION_IDLE = timedelta(hours=8)  # a day's work with long meetings in it, not the night
SESSION_MAX = timedelta(hours=12)  # whatever the activity: one working day, never the next
SESSION_COOKIE = "gouvernance_session"
_SESSION_SALT = "gouvernance-m2a/session-locale"
_MIN_KEY = 32
_SESSIONS_LOCK = threading.Lock()
# session id -> time of its last action (epoch seconds), in this process; a session the process has not seen yet
# (the server restarted) counts from its login
_LAST_SEEN: dict[str, float] = {}
# closed-sessions file -> (its stamp when read, {session id: time the session would have expired}): read again when
# the file changes, so that a logout in another server process counts here at the next action, and only then
_CLOSED: dict[Path, tuple[tuple[int, int, int] | None, dict[str, float]]] = {}
# closed-sessions file -> the sessions this process closed: closed here even when the file could not be written
_CLOSED_HERE: dict[Path, dict[str, float]] = {}
# session key file -> (its stamp when read, the key): read again when it changes (a deleted file closes every session)
_KEYS: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


class SessionRefused(Exception):
    """A token that no longer opens the dashboard. `notice` is the French sentence the login form shows, or None
    when there is nothing to tell (a forged or closed token)."""

    def __init__(self, reason: str, notice: str | None = None):
        super().__init__(reason)
        self.reason, self.notice = reason, notice


class _Clock(TimestampSigner):
    """A timestamp signer whose clock the tests can set (None: the real time)."""

    def __init__(self, *args: Any, now: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now if self.now is not None else time.time())


def session_key(users: str | Path | None = None) -> bytes:
    """The key that signs the session tokens: $GOUVERNANCE_SESSION_KEY, else the .session-key file beside the users
    file, created on first use with 32 random bytes, readable by its owner only. Deleting the file closes every
    open session (a new key is made at the next action)."""
    given = settings.session_key_from_environment()
    if given is not None:
        if len(given) < _MIN_KEY:
            raise ConfigError(f"{settings.SESSION_KEY_VARIABLE} trop courte : {_MIN_KEY} caractères au moins.")
        return given.encode()
    target = settings.session_key_path(users)
    try:
        found = target.stat()
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise ConfigError(f"Clé des sessions {target} illisible : {exc.strerror}.") from exc
    if found is not None and found.st_mode & 0o077:
        os.chmod(target, 0o600)  # a copy made with the wrong mode: the key is a password of every session
    stamp = _stamp(found)
    known = _KEYS.get(target)
    if stamp is not None and known is not None and known[0] == stamp:
        return known[1]  # the file as it was read: every rerun checks its session without reading it again
    try:
        key = target.read_bytes().strip()
    except FileNotFoundError:
        key = _create_key(target)
    except OSError as exc:
        raise ConfigError(f"Clé des sessions {target} illisible : {exc.strerror}.") from exc
    if len(key) < _MIN_KEY:
        raise ConfigError(f"Clé des sessions {target} trop courte : supprimez ce fichier, le serveur en recrée une "
                          "(les sessions ouvertes seront fermées).")
    if stamp is not None:
        _KEYS[target] = (stamp, key)  # a key just made is read once more at the next action, then kept
    return key


def _stamp(found: os.stat_result | None) -> tuple[int, int, int] | None:
    """What says a file changed (replaced, rewritten or appended to): its inode, size and time of change."""
    return None if found is None else (found.st_ino, found.st_size, found.st_mtime_ns)


def _create_key(target: Path) -> bytes:
    target.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    handle, temporary = tempfile.mkstemp(prefix=".session-key-", dir=target.parent)  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(key + b"\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, target)  # atomic and never over an existing key: two first sessions agree on one
        except FileExistsError:
            return target.read_bytes().strip()
        return key
    finally:
        Path(temporary).unlink(missing_ok=True)


def _serializer(key: bytes, now: datetime | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SESSION_SALT, signer=_Clock,
                                  signer_kwargs={"now": None if now is None else now.timestamp(),
                                                 "digest_method": hashlib.sha256})


def _fingerprint(hashed: str) -> str:
    # changes with the password; says nothing of it (a digest of a salted argon2id hash)
    return hashlib.sha256(hashed.encode()).hexdigest()[:16]


def open_session(account: Account, config: AuthConfig, now: datetime | None = None,
                 key: bytes | None = None) -> str:
    """The token of a new session for a local account that has just logged in."""
    local = config.accounts.get(account.username)
    if local is None:
        raise ValueError(f"no local account {account.username!r}")
    session_id = secrets.token_urlsafe(16)
    token = _serializer(key or session_key(config.path), now).dumps(
        {"u": account.username, "r": local.role, "h": _fingerprint(local.hash), "s": session_id})
    moment = (now or datetime.now()).timestamp()
    with _SESSIONS_LOCK:
        for known, seen in list(_LAST_SEEN.items()):  # forget sessions that have expired anyway
            if moment - seen > SESSION_MAX.total_seconds():
                del _LAST_SEEN[known]
        _LAST_SEEN[session_id] = moment
    return token


def check_session(token: str, config: AuthConfig, now: datetime | None = None, key: bytes | None = None,
                  touch: bool = True) -> Account:
    """The account a session token opens now, or SessionRefused. Checks the signature, the 12 hours since the
    login, the 8 hours since the last action, a logout, and that the account still exists with the same role and
    password; `touch` counts this as an action."""
    moment = (now or datetime.now()).timestamp()
    try:
        data, signed_at = _serializer(key or session_key(config.path), now).loads(
            token, max_age=int(SESSION_MAX.total_seconds()), return_timestamp=True)
    except SignatureExpired as exc:
        raise SessionRefused("expired", f"Session expirée ({_hours(SESSION_MAX)} après la connexion) : "
                                        "reconnectez-vous.") from exc
    except BadData as exc:
        raise SessionRefused("invalid") from exc
    if not (isinstance(data, dict) and all(isinstance(data.get(k), str) for k in ("u", "r", "h", "s"))):
        raise SessionRefused("invalid")
    local = config.accounts.get(data["u"])
    if local is None or local.role != data["r"] or _fingerprint(local.hash) != data["h"]:
        raise SessionRefused("changed", "Votre compte a été modifié ou supprimé : reconnectez-vous.")
    session_id = data["s"]
    closed = _closed_sessions(config.path)
    with _SESSIONS_LOCK:
        if session_id in closed:
            raise SessionRefused("closed")
        last = _LAST_SEEN.get(session_id, signed_at.timestamp())
        if moment - last > SESSION_IDLE.total_seconds():
            _LAST_SEEN.pop(session_id, None)
            raise SessionRefused("idle", f"Session expirée après {_hours(SESSION_IDLE)} sans activité : "
                                         "reconnectez-vous.")
        if touch:
            _LAST_SEEN[session_id] = max(last, moment)
    return Account(data["u"], local.name, local.role, "local")


def _hours(span: timedelta) -> str:
    hours = round(span.total_seconds() / 3600)
    return f"{hours} heure{'s' if hours > 1 else ''}"


def close_session(token: str, config: AuthConfig, key: bytes | None = None) -> None:
    """End the session of a token ("Se déconnecter"), for this server and after its restarts; nothing happens for
    a token that is not ours."""
    try:
        data, signed_at = _serializer(key or session_key(config.path), None).loads(token, return_timestamp=True)
        session_id = data["s"]
    except (BadData, TypeError, KeyError):
        return
    expires = signed_at.timestamp() + SESSION_MAX.total_seconds()
    target = settings.closed_sessions_path(config.path)
    with _SESSIONS_LOCK:
        _LAST_SEEN.pop(session_id, None)
        _CLOSED_HERE.setdefault(target, {})[session_id] = expires
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="ascii") as out:
                out.write(f"{session_id} {int(expires)}\n")
        except OSError:
            pass  # closed in this process anyway; only a restart within the session's 12 hours could reopen it


def _closed_sessions(users: Path | None) -> set[str]:
    """The ids of the closed sessions not yet expired: the closed-sessions file (read again only when it changed)
    and those this process closed."""
    target = settings.closed_sessions_path(users)
    try:
        stamp = _stamp(target.stat())
    except OSError:
        stamp = None
    with _SESSIONS_LOCK:
        known = _CLOSED.get(target)
        if known is None or known[0] != stamp:
            now, found = time.time(), {}
            try:
                for line in target.read_text(encoding="ascii", errors="replace").splitlines():
                    parts = line.split()
                    if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) > now:
                        found[parts[0]] = float(parts[1])
            except OSError:
                pass
            known = _CLOSED[target] = (stamp, found)
        return set(known[1]) | set(_CLOSED_HERE.get(target, ()))


# ---------------------------------------------------------------------------------------------------------------
# Modes: OpenID Connect, local accounts, open demonstration, or refusal in production

DEMO_ROLE = "admin"
DEMO_ACCOUNT = Account("démonstration", "Démonstration", DEMO_ROLE, "demo")
DEMO_BANNER = ("Mode démonstration : aucune authentification n'est configurée, tout visiteur a tous les droits. "
               "Ne chargez pas de données réelles.")
NO_AUTH_MESSAGE = ("Démarrage refusé : le mode production exige une authentification, et aucune n'est "
                   "configurée. Ajoutez une section [auth] à .streamlit/secrets.toml (OpenID Connect) ou un compte "
                   "local avec « python -m analytics user add IDENTIFIANT --role admin ».")


class AuthNotConfigured(RuntimeError):
    """Production requires authentication and none is configured (French message)."""


def is_production(config: AuthConfig) -> bool:
    """Production mode: [production] exiger_authentification = true, or $GOUVERNANCE_PRODUCTION set to 1/true/oui."""
    return config.production or settings.production_requested()


def auth_mode(config: AuthConfig, secrets_has_auth: bool, production: bool) -> str:
    """"oidc" when secrets.toml has an [auth] section, else "local" with accounts, else "demo" — or raise
    AuthNotConfigured in production.

    OpenID Connect wins over local accounts, so that a deployment on the authority's identity provider cannot
    be bypassed by a forgotten local password. The demo role is admin, so that every page can be tried; the demo
    is meant for the fictitious database and shows DEMO_BANNER."""
    if secrets_has_auth:
        return "oidc"
    if config.accounts:
        return "local"
    if production:
        raise AuthNotConfigured(NO_AUTH_MESSAGE)
    return "demo"


# ---------------------------------------------------------------------------------------------------------------
# Audit trail

EVENTS = ("login", "login_failed", "logout", "refused", "import", "record_meeting", "export_named", "backup",
          "restore", "erase_person", "user_change")
EVENT_LABELS = {
    "login": "connexion", "login_failed": "connexion échouée", "logout": "déconnexion", "refused": "accès refusé",
    "import": "import", "record_meeting": "saisie de séance", "export_named": "export nominatif",
    "backup": "sauvegarde", "restore": "restauration", "erase_person": "effacement d'une personne",
    "user_change": "modification d'un compte",
}
_MAX_USERNAME, _MAX_DETAIL = 254, 2000  # bounded: an attacker's input must not bloat the trail


def audit(conn: duckdb.DuckDBPyConnection, username: str, event: str, detail: str | None = None,
          at: datetime | None = None) -> None:
    """Record one audit event (its own transaction); `at` defaults to now."""
    record(conn.cursor(), username, event, detail, at)


def record(cur: duckdb.DuckDBPyConnection, username: str, event: str, detail: str | None = None,
           at: datetime | None = None) -> None:
    """Record one audit event on `cur`, inside whatever transaction `cur` has open."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {EVENTS}")
    cur.execute(query("auth_audit"), {
        "logged_at": at or datetime.now(), "username": (username or "")[:_MAX_USERNAME], "event": event,
        "detail": None if detail is None else detail[:_MAX_DETAIL],
    })


def audit_events(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The `limit` most recent audit events, most recent first: id, logged_at, username, event, detail."""
    return conn.cursor().execute(query("auth_audit_events"), {"limit": int(limit)}).df()


# Events of a process that could not open the database because the dashboard holds it (python -m analytics user …
# while the dashboard runs): appended, one JSON object a line, to a file beside the users file; the dashboard moves
# them into audit_events at its next rerun, the next user command when it can open the database. Both sides lock
# the file (flock), so that no line is written while the other side empties it.

def defer_audit(database: Path, username: str, event: str, detail: str | None = None, at: datetime | None = None,
                users: str | Path | None = None) -> Path:
    """Keep one audit event of `database` for whoever opens it next; return the file holding it."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {EVENTS}")
    line = json.dumps({"db": str(Path(database).resolve()), "logged_at": (at or datetime.now()).isoformat(),
                       "username": (username or "")[:_MAX_USERNAME], "event": event,
                       "detail": None if detail is None else detail[:_MAX_DETAIL]}, ensure_ascii=False)
    target = settings.pending_audit_path(users)
    target.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    return target


def record_pending_audit(conn: duckdb.DuckDBPyConnection, database: Path, users: str | Path | None = None) -> int:
    """Move the waiting audit events of `database` into audit_events (one transaction, their own times); return how
    many. Events of another database stay in the file; an unreadable line is dropped."""
    target = settings.pending_audit_path(users)
    try:
        if target.stat().st_size == 0:
            return 0
        handle = target.open("r+", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return 0
    mine, others = [], []
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        for line in handle.read().splitlines():
            try:
                item = json.loads(line)
                at = datetime.fromisoformat(item["logged_at"])
                fields = (item["db"], item["username"], item["event"], item.get("detail"))
            except (ValueError, TypeError, KeyError):
                continue
            if not all(isinstance(f, str) for f in fields[:3]) or fields[2] not in EVENTS:
                continue
            if fields[0] == str(Path(database).resolve()):
                mine.append((at, *fields[1:]))
            else:
                others.append(line)
        if mine:
            with transaction(conn.cursor()) as cur:
                for at, username, event, detail in mine:
                    record(cur, username, event, detail if isinstance(detail, str) else None, at)
        # emptied in place, never removed: a writer waiting on the lock holds this very file open
        handle.seek(0)
        handle.truncate()
        handle.write("".join(line + "\n" for line in others))
        handle.flush()
        os.fsync(handle.fileno())
    return len(mine)


# ---------------------------------------------------------------------------------------------------------------
# Command line: python -m analytics user add|passwd|role|remove|list

def cli_username() -> str:
    """Who runs a command, for the audit trail: "cli:<system account>"."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def audit_table(events: pd.DataFrame) -> pd.DataFrame:
    """Audit events for display: French column names and event labels."""
    return pd.DataFrame({
        "Date": events["logged_at"], "Qui": events["username"],
        "Évènement": events["event"].map(EVENT_LABELS), "Détail": events["detail"],
    })
