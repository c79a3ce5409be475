"""Access control: roles, the users file, password hashing, the growing delay, OIDC mapping, modes, audit, CLI."""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import cli
from analytics.access import auth
from analytics.store import db
from tests.support import ROOT

T0 = datetime(2025, 3, 10, 9, 0, 0)
PASSWORD = "correct horse battery"


def s(seconds: float) -> datetime:
    """T0 plus some seconds: the simulated clock of the delay tests."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A users file path of its own (not created yet), also in $GOUVERNANCE_USERS."""
    path = tmp_path / "config" / "utilisateurs.toml"
    monkeypatch.setenv("GOUVERNANCE_USERS", str(path))
    monkeypatch.delenv("GOUVERNANCE_PASSWORD", raising=False)
    monkeypatch.delenv("GOUVERNANCE_PRODUCTION", raising=False)
    return path


@pytest.fixture
def config(users: Path) -> auth.AuthConfig:
    """Three accounts, one per role, all with PASSWORD."""
    auth.set_password("adele", PASSWORD, "admin", "Adèle Admin")
    auth.set_password("sam", PASSWORD, "saisie", "Sam Saisie")
    auth.set_password("lea", PASSWORD, "lecture", "Léa Lecture")
    return auth.load_config()


def events(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(username, event, detail) of every audit event, oldest first."""
    return conn.execute("SELECT username, event, detail FROM audit_events ORDER BY id").fetchall()


# --- passwords ------------------------------------------------------------------------------------------------

def test_hashes_are_salted_argon2id_and_verify() -> None:
    first, second = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and second.startswith("$argon2id$")
    assert first != second  # a random salt per hash
    assert auth.verify_password(first, PASSWORD) and auth.verify_password(second, PASSWORD)
    assert not auth.verify_password(first, PASSWORD + " ")
    assert not auth.verify_password("$argon2id$abîmé", PASSWORD)  # a malformed hash matches nothing
    assert PASSWORD not in first


def test_password_rules_are_french() -> None:
    with pytest.raises(auth.PasswordRefused, match="Mot de passe trop court : 12 caractères au moins."):
        auth.hash_password("onze-caract")  # 11 characters
    auth.check_password("douze-caract")  # exactly 12
    with pytest.raises(auth.PasswordRefused, match="ne doit pas être l'identifiant"):
        auth.check_password("marie.durand", "marie.durand")
    with pytest.raises(auth.PasswordRefused, match="trop long"):
        auth.check_password("x" * 1025)


# --- the users file -------------------------------------------------------------------------------------------

def test_config_round_trip_keeps_quotes_backslashes_and_accents(users: Path) -> None:
    config = auth.AuthConfig(
        accounts={
            "o.brien": auth.LocalAccount("saisie", 'Seán "Jack" O\'Brien \\ Éloïse', auth.hash_password(PASSWORD)),
            "zoe@m2a": auth.LocalAccount("lecture", "Zoë Œuvre-Müller\tdeux\nlignes \x01 ☃", "$argon2id$x"),
            "admin": auth.LocalAccount("admin", "'; DROP TABLE persons; --", "$argon2id$y"),
        },
        emails={"dg@mulhouse-alsace.fr": "admin", "o'brien@exemple.fr": "lecture"},
        domains={"mulhouse-alsace.fr": "lecture"},
        production=True,
    )
    written = auth.save_config(config, users)
    assert written == users
    text = users.read_text(encoding="utf-8")
    assert tomllib.loads(text)["comptes"]["o.brien"]["nom"] == 'Seán "Jack" O\'Brien \\ Éloïse'
    loaded = auth.load_config()
    assert loaded.accounts == config.accounts
    assert loaded.emails == config.emails and loaded.domains == config.domains
    assert loaded.production is True and loaded.path == users
    # password hashes: readable by the owner only
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert not list(users.parent.glob(".utilisateurs-*"))  # no temporary file left behind


def test_missing_file_is_an_empty_configuration(users: Path) -> None:
    config = auth.load_config()
    assert config.accounts == {} and config.emails == {} and config.production is False and config.path == users


def test_the_example_file_loads() -> None:
    config = auth.load_config(ROOT / "config" / "utilisateurs.exemple.toml")
    assert config.production is True
    assert {u: a.role for u, a in config.accounts.items()} == {"marie.durand": "admin", "j.muller": "saisie"}
    assert config.accounts["j.muller"].name == "Jean-Luc Müller"
    assert config.emails["secretariat.assemblees@mulhouse-alsace.fr"] == "saisie"
    # its hashes are placeholders: nobody can log in with the example
    assert not auth.verify_password(config.accounts["marie.durand"].hash, "n'importe quoi de long")


@pytest.mark.parametrize(("text", "message"), [
    ("[compte.x]\nrole = 'admin'\n", "clé(s) inconnue(s) : compte"),
    ("[comptes.x]\n\"rôle\" = 'admin'\nhash = '$argon2id$a'\n", "clé(s) inconnue(s) dans [comptes.x] : rôle"),
    ("[comptes.x]\nrole = 'root'\nhash = '$argon2id$a'\n", "role « root » inconnu"),
    ("[comptes.x]\nrole = 'admin'\nhash = 'motdepasseenclair'\n", "hash absent ou invalide"),
    ("[comptes.x]\nrole = 'admin'\n", "hash absent ou invalide"),
    ("[comptes.'Jean Dupont']\nrole = 'admin'\nhash = '$argon2id$a'\n", "identifiant « Jean Dupont » invalide"),
    ("[oidc.domaines]\n'mulhouse-alsace.fr' = 'admin'\n", "ne peut donner que le rôle lecture"),
    ("[oidc.adresses]\n'personne' = 'lecture'\n", "adresse ou rôle invalide"),
    ("[production]\nexiger_authentification = 'oui'\n", "doit valoir true ou false"),
    ("[comptes.x\n", "illisible"),
])
def test_config_errors_are_named(users: Path, text: str, message: str) -> None:
    users.parent.mkdir(parents=True)
    users.write_text(text, encoding="utf-8")
    with pytest.raises(auth.ConfigError, match=re.escape(message)):
        auth.load_config()


def test_set_password_creates_updates_and_refuses(users: Path) -> None:
    account = auth.set_password("  Marie.Durand ", PASSWORD, name="Marie Durand")
    # identifiers are lower-cased; a new account reads only, unless told otherwise
    assert account == auth.Account("marie.durand", "Marie Durand", "lecture", "local")
    first_hash = auth.load_config().accounts["marie.durand"].hash
    auth.set_password("marie.durand", "un autre mot de passe", role="admin")
    stored = auth.load_config().accounts["marie.durand"]
    assert stored.role == "admin" and stored.name == "Marie Durand" and stored.hash != first_hash
    assert auth.verify_password(stored.hash, "un autre mot de passe")
    with pytest.raises(auth.PasswordRefused, match="trop court"):
        auth.set_password("paul", "court")
    with pytest.raises(auth.ConfigError, match="invalide"):
        auth.set_password("paul dupont", PASSWORD)
    with pytest.raises(auth.ConfigError, match="Rôle « root » inconnu"):
        auth.set_password("paul", PASSWORD, role="root")
    assert set(auth.load_config().accounts) == {"marie.durand"}


def test_the_last_admin_stays(users: Path) -> None:
    auth.set_password("adele", PASSWORD, "admin")
    auth.set_password("lea", PASSWORD, "lecture")
    with pytest.raises(auth.ConfigError, match="dernier administrateur"):
        auth.remove_user("adele")
    with pytest.raises(auth.ConfigError, match="dernier administrateur"):
        auth.set_role("adele", "saisie")
    auth.set_role("lea", "admin", name="Léa")
    auth.remove_user("adele")
    assert {u: (a.role, a.name) for u, a in auth.load_config().accounts.items()} == {"lea": ("admin", "Léa")}
    with pytest.raises(auth.ConfigError, match="Compte « adele » inconnu"):
        auth.remove_user("adele")


def test_users_table_shows_no_hash(config: auth.AuthConfig) -> None:
    table = auth.users_table(config)
    assert table.to_dict("list") == {"identifiant": ["adele", "lea", "sam"],
                                     "nom": ["Adèle Admin", "Léa Lecture", "Sam Saisie"],
                                     "role": ["admin", "lecture", "saisie"]}


# --- roles ----------------------------------------------------------------------------------------------------

# Hand-written from issue 6, not derived from ACTION_ROLES: what each role may do.
LECTURE = {"dashboards", "monthly_pack", "export"}
SAISIE = LECTURE | {"import", "record_meeting", "correct_meeting", "export_named"}
ADMIN = SAISIE | {"catalogue", "thresholds", "sectors", "users", "backup", "restore", "audit_log", "erase_person"}
ALLOWED = {"lecture": LECTURE, "saisie": SAISIE, "admin": ADMIN, None: set(), "superuser": set()}
PAGES = {"lecture": {"synthese", "instances", "territoires", "elus", "sieges", "calendrier"}}
PAGES["saisie"] = PAGES["lecture"] | {"saisie"}
PAGES["admin"] = PAGES["saisie"] | {"administration"}


def test_role_order() -> None:
    assert auth.ROLES == ("lecture", "saisie", "admin")
    assert [auth.allows(r, "saisie") for r in (None, "lecture", "saisie", "admin", "Admin")] == [
        False, False, True, True, False]
    with pytest.raises(ValueError):
        auth.allows("admin", "root")


@pytest.mark.parametrize("role", ["lecture", "saisie", "admin", None, "superuser"])
def test_every_action_checks_the_role(role: str | None) -> None:
    assert set(auth.ACTION_ROLES) == ADMIN
    for action in auth.ACTION_ROLES:
        assert auth.can(role, action) == (action in ALLOWED[role]), action
        if action in ALLOWED[role]:
            auth.require(role, action)
        else:
            with pytest.raises(auth.AccessDenied, match="^Accès refusé : ") as refused:
                auth.require(role, action)
            assert isinstance(refused.value, PermissionError)
            assert refused.value.what == action and refused.value.needed == auth.ACTION_ROLES[action]


@pytest.mark.parametrize("role", ["lecture", "saisie", "admin", None])
def test_every_page_checks_the_role(role: str | None) -> None:
    assert set(auth.PAGE_ROLES) == PAGES["admin"]
    for page in auth.PAGE_ROLES:
        allowed = page in PAGES.get(role, set())
        assert auth.can_open(role, page) == allowed, page
        if not allowed:
            with pytest.raises(auth.AccessDenied):
                auth.require_page(role, page)


def test_refusal_messages_are_french() -> None:
    with pytest.raises(auth.AccessDenied) as refused:
        auth.require("lecture", "import")
    assert str(refused.value) == ("Accès refusé : « importer des fichiers » demande le rôle saisie ou supérieur "
                                  "(votre rôle : lecture).")
    with pytest.raises(auth.AccessDenied) as refused:
        auth.require_page(None, "administration")
    assert str(refused.value) == ("Accès refusé : la page « Administration » demande le rôle administrateur ou "
                                  "supérieur (vous n'avez aucun rôle).")
    with pytest.raises(ValueError):
        auth.require("admin", "delete_everything")  # an unknown action is a bug, never a silent yes


def test_enforce_records_refusals(conn: duckdb.DuckDBPyConnection) -> None:
    auth.enforce(conn, "sam", "saisie", "import")
    with pytest.raises(auth.AccessDenied):
        auth.enforce(conn, "lea", "lecture", "import")
    with pytest.raises(auth.AccessDenied):
        auth.enforce_page(conn, "lea", "lecture", "saisie")
    assert events(conn) == [("lea", "refused", "action import (rôle lecture)"),
                            ("lea", "refused", "page saisie (rôle lecture)")]


# --- logging in -----------------------------------------------------------------------------------------------

def test_authenticate_records_logins(conn: duckdb.DuckDBPyConnection, config: auth.AuthConfig) -> None:
    assert auth.authenticate(conn, " Sam ", PASSWORD, config, now=s(0)) == auth.Account(
        "sam", "Sam Saisie", "saisie", "local")
    assert auth.authenticate(conn, "sam", "mauvais mot de passe", config, now=s(1)) is None
    assert auth.authenticate(conn, "inconnu", PASSWORD, config, now=s(2)) is None
    # a password typed in the identifier field is not stored
    assert auth.authenticate(conn, "Mon Mot De Passe!", PASSWORD, config, now=s(3)) is None
    assert events(conn) == [("sam", "login", "compte local"),
                            ("sam", "login_failed", "mot de passe incorrect"),
                            ("inconnu", "login_failed", "compte inconnu"),
                            ("(identifiant invalide)", "login_failed", "compte inconnu")]
    assert conn.execute("SELECT logged_at FROM audit_events ORDER BY id").fetchall() == [
        (s(0),), (s(1),), (s(2),), (s(3),)]


def test_growing_delay_after_three_failures(conn: duckdb.DuckDBPyConnection, config: auth.AuthConfig) -> None:
    def attempt(at: float, password: str = "mauvais mot de passe") -> auth.Account | None:
        return auth.authenticate(conn, "lea", password, config, now=s(at))

    # three failures: no wait yet
    for at in (0, 1, 2):
        assert attempt(at) is None
    # 3 failures -> 2 ** 0 = 1 s after the last one (at 2 s): refused at 2.5 s, even with the right password
    with pytest.raises(auth.LoginDelayed) as delayed:
        attempt(2.5, PASSWORD)
    assert delayed.value.seconds == 1 and str(delayed.value) == "Trop d'essais : réessayez dans 1 seconde."
    assert attempt(3) is None                        # 4th failure, at 3 s: next wait 2 s
    with pytest.raises(auth.LoginDelayed) as delayed:
        attempt(4)
    assert delayed.value.seconds == 1                # 3 + 2 - 4
    assert attempt(5) is None                        # 5th failure: next wait 4 s
    with pytest.raises(auth.LoginDelayed) as delayed:
        attempt(6)
    assert delayed.value.seconds == 3                # 5 + 4 - 6
    assert attempt(9) is None                        # 6th failure: next wait 8 s
    with pytest.raises(auth.LoginDelayed) as delayed:
        attempt(9)
    assert str(delayed.value) == "Trop d'essais : réessayez dans 8 secondes."
    # delayed attempts are neither checked nor recorded
    assert [e for _, e, _ in events(conn)] == ["login_failed"] * 6
    # the right password after the wait logs in and clears the count
    assert attempt(17, PASSWORD) == auth.Account("lea", "Léa Lecture", "lecture", "local")
    assert attempt(17.1) is None and attempt(17.2) is None and attempt(17.3) is None
    with pytest.raises(auth.LoginDelayed):
        attempt(17.4)
    # other identifiers are not delayed
    assert auth.authenticate(conn, "sam", PASSWORD, config, now=s(17.5)) is not None


def test_the_delay_survives_a_restart_and_expires_after_an_hour(db_file: Path, config: auth.AuthConfig) -> None:
    conn = db.connect(db_file)
    for at in (0, 1, 2, 3, 5, 9):  # each just when the previous wait (0, 0, 0, 1, 2, 4 s) is over
        assert auth.authenticate(conn, "inconnu", "x" * 12, config, now=s(at)) is None
    conn.close()
    conn = db.connect(db_file)  # a restarted dashboard reads the failures back from audit_events
    assert auth.login_delay(conn, "inconnu", s(10)) == 7  # 6 failures: 8 s after the one at 9 s
    with pytest.raises(auth.LoginDelayed):
        auth.authenticate(conn, "INCONNU", "x" * 12, config, now=s(10))
    # failures older than one hour no longer count: two more, just before and after the hour
    auth.audit(conn, "inconnu", "login_failed", "compte inconnu", at=s(3599))
    auth.audit(conn, "inconnu", "login_failed", "compte inconnu", at=s(3600.5))
    # at 3601 s the window starts at 1 s: failures at 2, 3, 5, 9, 3599 and 3600.5 s -> 6 -> 8 s after 3600.5
    # (counting all 8 would wait 32 s)
    assert auth.login_delay(conn, "inconnu", s(3601)) == 8
    # at 3605.5 s the failures at 9, 3599 and 3600.5 s remain: 1 s after 3600.5, over
    assert auth.login_delay(conn, "inconnu", s(3605.5)) == 0
    conn.close()


def test_simultaneous_attempts_cannot_skip_the_delay(conn: duckdb.DuckDBPyConnection,
                                                     config: auth.AuthConfig) -> None:
    """Ten sessions (threads) try at the same instant: three are checked, seven must wait."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> str:
        try:
            return repr(auth.authenticate(conn, "lea", "mauvais mot de passe", config, now=s(0)))
        except auth.LoginDelayed as delayed:
            return f"attendre {delayed.seconds}"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = sorted(pool.map(attempt, range(10)))
    assert results == ["None"] * 3 + ["attendre 1"] * 7
    assert len(events(conn)) == 3


def test_the_delay_is_capped_at_15_minutes(conn: duckdb.DuckDBPyConnection) -> None:
    # 13 failures, one a minute: 2 ** (13 - 3) = 1024 s, capped at 900
    for minute in range(13):
        auth.audit(conn, "lea", "login_failed", "mot de passe incorrect", at=s(60 * minute))
    last = s(60 * 12)
    assert auth.login_delay(conn, "lea", last) == 900
    assert auth.login_delay(conn, "lea", last + timedelta(seconds=1)) == 899
    assert str(auth.LoginDelayed(899)) == "Trop d'essais : réessayez dans 15 minutes."
    assert auth.login_delay(conn, "lea", last + timedelta(seconds=900)) == 0


# --- OpenID Connect and modes ---------------------------------------------------------------------------------

def test_role_for_email() -> None:
    config = auth.AuthConfig(emails={"dg@mulhouse-alsace.fr": "admin", "sec@mulhouse-alsace.fr": "saisie"},
                             domains={"mulhouse-alsace.fr": "lecture"})
    assert auth.role_for_email(config, " DG@Mulhouse-Alsace.fr ") == "admin"
    assert auth.role_for_email(config, "sec@mulhouse-alsace.fr", verified=True) == "saisie"
    # an address the provider says it did not verify gets nothing, even a named one
    assert auth.role_for_email(config, "dg@mulhouse-alsace.fr", verified=False) is None
    # domain rule: only with a verified address, only the exact domain
    assert auth.role_for_email(config, "stagiaire@mulhouse-alsace.fr", verified=True) == "lecture"
    assert auth.role_for_email(config, "stagiaire@mulhouse-alsace.fr") is None
    assert auth.role_for_email(config, "x@sub.mulhouse-alsace.fr", verified=True) is None
    assert auth.role_for_email(config, "x@mulhouse-alsace.fr.example.com", verified=True) is None
    assert auth.role_for_email(config, "a@b@mulhouse-alsace.fr", verified=True) is None
    assert auth.role_for_email(config, "inconnu@exemple.fr", verified=True) is None
    assert auth.role_for_email(config, None) is None and auth.role_for_email(config, "") is None
    # without any domain rule (the default), unknown addresses of the authority get nothing
    assert auth.role_for_email(auth.AuthConfig(), "stagiaire@mulhouse-alsace.fr", verified=True) is None


def test_oidc_login_records(conn: duckdb.DuckDBPyConnection) -> None:
    config = auth.AuthConfig(emails={"dg@mulhouse-alsace.fr": "admin"})
    account = auth.oidc_login(conn, config, "DG@mulhouse-alsace.fr", "Directrice Générale", now=s(0))
    assert account == auth.Account("dg@mulhouse-alsace.fr", "Directrice Générale", "admin", "oidc")
    with pytest.raises(auth.AccessDenied, match="l'adresse autre@exemple.fr n'a accès à aucun rôle"):
        auth.oidc_login(conn, config, "autre@exemple.fr", now=s(1))
    assert events(conn) == [("dg@mulhouse-alsace.fr", "login", "OpenID Connect"),
                            ("autre@exemple.fr", "refused", "connexion OIDC : adresse sans rôle")]


def test_auth_mode(users: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = auth.AuthConfig()
    with_accounts = auth.AuthConfig(accounts={"a": auth.LocalAccount("admin", "A", "$argon2id$")})
    assert auth.auth_mode(empty, secrets_has_auth=True, production=True) == "oidc"
    assert auth.auth_mode(with_accounts, secrets_has_auth=True, production=False) == "oidc"  # OIDC wins
    assert auth.auth_mode(with_accounts, secrets_has_auth=False, production=True) == "local"
    assert auth.auth_mode(empty, secrets_has_auth=False, production=False) == "demo"
    with pytest.raises(auth.AuthNotConfigured, match="^Démarrage refusé : le mode production exige"):
        auth.auth_mode(empty, secrets_has_auth=False, production=True)
    assert auth.DEMO_ACCOUNT.role == "admin" and "démonstration" in auth.DEMO_BANNER.lower()
    # production: from the file or from the environment
    assert auth.is_production(auth.AuthConfig(production=True))
    assert not auth.is_production(empty)
    monkeypatch.setenv("GOUVERNANCE_PRODUCTION", "1")
    assert auth.is_production(empty)
    monkeypatch.setenv("GOUVERNANCE_PRODUCTION", "0")
    assert not auth.is_production(empty)


# --- audit trail ----------------------------------------------------------------------------------------------

def test_audit_events_most_recent_first(conn: duckdb.DuckDBPyConnection) -> None:
    auth.audit(conn, "sam", "import", "membres.csv", at=s(0))
    auth.audit(conn, "adele", "backup", at=s(10))
    auth.audit(conn, "sam", "record_meeting", "Conseil du 15/01/2024", at=s(10))  # same instant: id decides
    auth.audit(conn, "lea", "logout")  # now: after the simulated 2025 clock
    frame = auth.audit_events(conn)
    assert list(frame.columns) == ["id", "logged_at", "username", "event", "detail"]
    assert frame["event"].tolist() == ["logout", "record_meeting", "backup", "import"]
    assert auth.audit_events(conn, limit=2)["event"].tolist() == ["logout", "record_meeting"]
    assert frame.loc[3, "detail"] == "membres.csv" and pd.isna(frame.loc[2, "detail"])
    with pytest.raises(ValueError):
        auth.audit(conn, "sam", "delete_everything")
    # the schema refuses an unknown event from any path
    with pytest.raises(duckdb.ConstraintException):
        conn.execute("INSERT INTO audit_events (username, event) VALUES ('x', 'hack')")
    assert db.schema_version(conn) == len(db.migrations())


def test_audit_keeps_hostile_text_inert(conn: duckdb.DuckDBPyConnection) -> None:
    hostile = "'); DROP TABLE persons; -- <script>alert(1)</script>"
    auth.audit(conn, hostile, "refused", hostile + "x" * 5000)
    row = conn.execute("SELECT username, detail FROM audit_events").fetchall()[0]
    assert row[0] == hostile and row[1].startswith(hostile) and len(row[1]) == 2000
    assert conn.execute("SELECT count(*) FROM persons").fetchall() == [(0,)]


# --- command line ---------------------------------------------------------------------------------------------

def test_users_command(users: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    db.connect(db_file).close()
    monkeypatch.setenv("GOUVERNANCE_PASSWORD", PASSWORD)
    monkeypatch.setattr(auth, "cli_username", lambda: "cli:test")
    run = lambda *args, **kw: cli.users_command(*args, db_arg=str(db_file), **kw)  # noqa: E731

    assert run("add", "Marie.Durand", "admin", "Marie « la DG » Durand") == 0
    assert "Compte « marie.durand » créé (rôle admin)." in capsys.readouterr().out
    assert run("add", "marie.durand", "lecture", None) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert run("add", "paul", None, None) == 0  # role lecture by default
    assert run("list") == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "marie.durand  admin    Marie « la DG » Durand", "paul          lecture  paul"]
    monkeypatch.setenv("GOUVERNANCE_PASSWORD", "nouveau mot de passe")
    assert run("passwd", "paul", None, None) == 0
    check = db.connect(db_file)
    assert auth.authenticate(check, "paul", "nouveau mot de passe", auth.load_config()) is not None
    check.close()
    assert run("role", "paul", "saisie", "Paul Petit") == 0
    assert run("passwd", "inconnu", None, None) == 1
    assert "Compte « inconnu » inconnu" in capsys.readouterr().err
    monkeypatch.setenv("GOUVERNANCE_PASSWORD", "court")
    assert run("add", "court", None, None) == 1
    assert "Mot de passe trop court : 12 caractères au moins." in capsys.readouterr().err
    assert run("remove", "marie.durand") == 1  # the last administrator
    assert run("remove", "paul") == 0
    assert run("frobnicate", "paul") == 1
    assert set(auth.load_config().accounts) == {"marie.durand"}

    conn = db.connect(db_file)
    assert [(u, e, d) for u, e, d in events(conn) if e == "user_change"] == [
        ("cli:test", "user_change", "compte marie.durand créé, rôle admin"),
        ("cli:test", "user_change", "compte paul créé, rôle lecture"),
        ("cli:test", "user_change", "mot de passe de paul changé, rôle lecture"),
        ("cli:test", "user_change", "compte paul modifié, rôle saisie"),
        ("cli:test", "user_change", "compte paul supprimé"),
    ]
    conn.close()


def test_users_command_prompts_twice(users: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    typed = iter(["premier mot de passe", "second mot de passe", "même mot de passe", "même mot de passe"])
    monkeypatch.setattr(auth.getpass, "getpass", lambda prompt: next(typed))
    no_db = str(tmp_path / "absente.duckdb")  # no database: nothing to audit, nothing created
    assert cli.users_command("add", "lea", "lecture", None, db_arg=no_db) == 1
    assert "Les deux mots de passe diffèrent." in capsys.readouterr().err
    assert cli.users_command("add", "lea", "lecture", None, db_arg=no_db) == 0
    assert auth.verify_password(auth.load_config().accounts["lea"].hash, "même mot de passe")
    assert not os.path.exists(no_db)


# --- browser sessions of local accounts (issues 16.4 and 17.1) ------------------------------------------------

KEY = b"k" * 32


@pytest.fixture
def fresh_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's memory of sessions as after a start (the closed-sessions file is read again)."""
    monkeypatch.setattr(auth, "_LAST_SEEN", {})
    monkeypatch.setattr(auth, "_CLOSED", {})
    monkeypatch.setattr(auth, "_CLOSED_HERE", {})
    monkeypatch.setattr(auth, "_KEYS", {})
    monkeypatch.delenv("GOUVERNANCE_SESSION_KEY", raising=False)


def _account(config: auth.AuthConfig, username: str) -> auth.Account:
    local = config.accounts[username]
    return auth.Account(username, local.name, local.role, "local")


def _refused(token: str, config: auth.AuthConfig, at: datetime, key: bytes = KEY) -> auth.SessionRefused:
    with pytest.raises(auth.SessionRefused) as refused:
        auth.check_session(token, config, now=at, key=key)
    return refused.value


def test_a_session_token_opens_its_account(config: auth.AuthConfig, fresh_sessions: None) -> None:
    token = auth.open_session(_account(config, "sam"), config, now=T0, key=KEY)
    assert auth.check_session(token, config, now=s(60), key=KEY) == auth.Account("sam", "Sam Saisie", "saisie",
                                                                                 "local")
    assert PASSWORD not in token and config.accounts["sam"].hash not in token
    # every login is a new session: two tokens of one account differ
    assert auth.open_session(_account(config, "sam"), config, now=T0, key=KEY) != token


def test_a_forged_token_opens_nothing(config: auth.AuthConfig, fresh_sessions: None) -> None:
    from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

    token = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    payload, stamp, signature = token.rsplit(".", 2)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    forgeries = [
        "", "x", "a.b.c", payload + "." + stamp + "." + flipped,
        # the same claims with the role raised, signed without the key
        URLSafeTimedSerializer(b"not the key" * 4, salt=auth._SESSION_SALT).dumps(
            {"u": "lea", "r": "admin", "h": "0" * 16, "s": "x"}),
        # signed with the key but not as a session (no salt, no time)
        URLSafeSerializer(KEY).dumps({"u": "lea", "r": "lecture", "h": "0", "s": "x"}),
        token + "x",
    ]
    for forged in forgeries:
        refused = _refused(forged, config, s(60))
        assert refused.reason == "invalid" and refused.notice is None, forged


def test_a_token_of_another_key_opens_nothing(config: auth.AuthConfig, fresh_sessions: None) -> None:
    token = auth.open_session(_account(config, "adele"), config, now=T0, key=KEY)
    assert _refused(token, config, s(60), key=b"z" * 32).reason == "invalid"


def test_a_token_expires_12_hours_after_the_login(config: auth.AuthConfig, fresh_sessions: None) -> None:
    token = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    for hour in range(1, 12):  # an action every hour: the idle limit never comes
        auth.check_session(token, config, now=s(hour * 3600), key=KEY)
    auth.check_session(token, config, now=s(12 * 3600), key=KEY)
    refused = _refused(token, config, s(12 * 3600 + 1))
    assert refused.reason == "expired" and "12 heures" in refused.notice
    # a clock gone back before the login does not make the token younger
    assert _refused(token, config, s(-3600)).reason == "expired"


def test_a_token_expires_after_8_hours_without_action(config: auth.AuthConfig, fresh_sessions: None) -> None:
    token = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    auth.check_session(token, config, now=s(3600), key=KEY)
    auth.check_session(token, config, now=s(3600 + 8 * 3600), key=KEY)  # 8 hours exactly: still open
    other = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    refused = _refused(other, config, s(8 * 3600 + 1))
    assert refused.reason == "idle" and "8 heures sans activité" in refused.notice
    # checking without counting an action (account() between reruns) does not keep a session alive
    third = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    auth.check_session(third, config, now=s(7 * 3600), key=KEY, touch=False)
    assert _refused(third, config, s(8 * 3600 + 1)).reason == "idle"


def test_after_a_restart_inactivity_counts_from_the_login(config: auth.AuthConfig, fresh_sessions: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    token = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    auth.check_session(token, config, now=s(7 * 3600), key=KEY)
    monkeypatch.setattr(auth, "_LAST_SEEN", {})  # the server restarts
    assert auth.check_session(token, config, now=s(7 * 3600 + 60), key=KEY).username == "lea"  # F5 after it
    monkeypatch.setattr(auth, "_LAST_SEEN", {})
    assert _refused(token, config, s(8 * 3600 + 1)).reason == "idle"


def test_a_removed_account_loses_its_sessions(config: auth.AuthConfig, fresh_sessions: None) -> None:
    token = auth.open_session(_account(config, "sam"), config, now=T0, key=KEY)
    auth.remove_user("sam")
    refused = _refused(token, auth.load_config(), s(60))
    assert refused.reason == "changed" and "modifié ou supprimé" in refused.notice
    # an account made again under the same identifier is another account (another password hash)
    auth.set_password("sam", PASSWORD, "saisie", "Sam Saisie")
    assert _refused(token, auth.load_config(), s(120)).reason == "changed"


def test_a_demoted_account_loses_its_sessions(config: auth.AuthConfig, fresh_sessions: None) -> None:
    admin = auth.open_session(_account(config, "adele"), config, now=T0, key=KEY)
    clerk = auth.open_session(_account(config, "sam"), config, now=T0, key=KEY)
    auth.set_role("sam", "admin")  # another administrator first: the last one cannot be demoted
    auth.set_role("adele", "lecture")
    changed = auth.load_config()
    assert _refused(admin, changed, s(60)).reason == "changed"
    assert _refused(clerk, changed, s(60)).reason == "changed"  # promoted: logs in again to get the new role
    # a new password also ends the sessions; a new display name does not
    lea = auth.open_session(_account(config, "lea"), config, now=T0, key=KEY)
    auth.set_role("lea", name="Léa Lectrice")
    assert auth.check_session(lea, auth.load_config(), now=s(60), key=KEY).name == "Léa Lectrice"
    auth.set_password("lea", "un autre mot de passe")
    assert _refused(lea, auth.load_config(), s(120)).reason == "changed"


def test_a_closed_session_stays_closed_after_a_restart(config: auth.AuthConfig, fresh_sessions: None,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    token = auth.open_session(_account(config, "lea"), config, key=KEY)
    kept = auth.open_session(_account(config, "lea"), config, key=KEY)
    auth.close_session(token, config, key=KEY)
    refused = _refused(token, config, datetime.now())
    assert refused.reason == "closed" and refused.notice is None
    closed_file = config.path.parent / ".sessions-fermees"
    assert stat.S_IMODE(closed_file.stat().st_mode) == 0o600
    monkeypatch.setattr(auth, "_LAST_SEEN", {})
    monkeypatch.setattr(auth, "_CLOSED", {})  # the server restarts
    monkeypatch.setattr(auth, "_CLOSED_HERE", {})
    assert _refused(token, config, datetime.now()).reason == "closed"
    assert auth.check_session(kept, config, key=KEY).username == "lea"  # the other tab's session
    auth.close_session("forged", config, key=KEY)  # nothing to close, nothing raised


def test_the_session_key_is_made_once_readable_by_its_owner_only(config: auth.AuthConfig, fresh_sessions: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = config.path.parent / ".session-key"
    assert not key_file.exists()
    key = auth.session_key()
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 64 and auth.session_key() == key  # made once, then read
    token = auth.open_session(_account(config, "lea"), config)
    assert auth.check_session(token, config).username == "lea"
    os.chmod(key_file, 0o644)  # a copy with the wrong mode is put right
    auth.session_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.unlink()  # a new key closes every session
    assert auth.session_key() != key
    assert _refused(token, config, datetime.now(), key=auth.session_key()).reason == "invalid"
    # the key can come from the environment instead, if long enough
    monkeypatch.setenv("GOUVERNANCE_SESSION_KEY", "x" * 31)
    with pytest.raises(auth.ConfigError, match="GOUVERNANCE_SESSION_KEY trop courte : 32 caractères au moins."):
        auth.session_key()
    monkeypatch.setenv("GOUVERNANCE_SESSION_KEY", "y" * 40)
    assert auth.session_key() == b"y" * 40


def test_a_logout_in_another_server_process_counts_at_the_next_action(config: auth.AuthConfig,
                                                                    fresh_sessions: None) -> None:
    """The closed-sessions file is kept in memory while it does not change, and read again as soon as it does: a
    session another process of the service closed (one per core behind nginx) is refused here at once."""
    token = auth.open_session(_account(config, "lea"), config, key=KEY)
    assert auth.check_session(token, config, key=KEY).username == "lea"  # the file is read (absent) and kept
    session_id = _session_id(token)
    expires = int(datetime.now().timestamp() + auth.SESSION_MAX.total_seconds())
    closed_file = config.path.parent / ".sessions-fermees"
    closed_file.write_text(f"{session_id} {expires}\n", encoding="ascii")  # what the other process appends
    assert _refused(token, config, datetime.now()).reason == "closed"
    # a line of an expired session, or a garbled one, closes nothing
    other = auth.open_session(_account(config, "sam"), config, key=KEY)
    other_id = _session_id(other)
    with closed_file.open("a", encoding="ascii") as out:
        out.write(f"{other_id} {int(datetime.now().timestamp()) - 1}\ngarbled\n")
    assert auth.check_session(other, config, key=KEY).username == "sam"
    assert _refused(token, config, datetime.now()).reason == "closed"


def test_the_session_key_is_read_again_when_its_file_changes(config: auth.AuthConfig, fresh_sessions: None) -> None:
    key_file = config.path.parent / ".session-key"
    key = auth.session_key()
    token = auth.open_session(_account(config, "lea"), config)
    assert auth.check_session(token, config).username == "lea"
    # rewritten in place by the operator (same inode; a longer key, so that the size says it even where the clock
    # of the file system is too coarse to): every open session closes
    key_file.write_bytes(b"n" * 70 + b"\n")
    assert auth.session_key() == b"n" * 70 != key
    with pytest.raises(auth.SessionRefused) as refused:
        auth.check_session(token, config)
    assert refused.value.reason == "invalid"


def _session_id(token: str) -> str:
    """The session id a session token signs. The payload is all but the token's last two parts (timestamp and
    signature); itsdangerous compresses it, behind a leading ".", whenever that is shorter, which a random id makes
    happen now and then: its own loader reads both forms."""
    from itsdangerous.url_safe import URLSafeSerializer

    return URLSafeSerializer(b"unused").load_payload(token.rsplit(".", 2)[0].encode())["s"]


def test_the_session_key_is_not_versioned() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert {".session-key", ".sessions-fermees", ".audit-en-attente.jsonl"} <= set(ignored)


# --- user commands while the dashboard holds the database ------------------------------------------------------

def test_pending_audit_events_are_moved_once_with_their_time(users: Path, db_file: Path) -> None:
    other = db_file.parent / "autre.duckdb"
    auth.defer_audit(db_file, "cli:exploitant", "user_change", "compte paul supprimé", at=T0)
    auth.defer_audit(other, "cli:exploitant", "user_change", "compte marc supprimé", at=T0)
    pending = users.parent / ".audit-en-attente.jsonl"
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600
    with pending.open("a", encoding="utf-8") as out:
        out.write("pas du JSON\n" + '{"db": "x"}\n')  # unreadable lines are dropped
    conn = db.connect(db_file)
    assert auth.record_pending_audit(conn, db_file) == 1
    assert conn.execute("SELECT logged_at, username, event, detail FROM audit_events").fetchall() == [
        (T0, "cli:exploitant", "user_change", "compte paul supprimé")]
    assert auth.record_pending_audit(conn, db_file) == 0  # moved, not copied
    assert [json.loads(line)["detail"] for line in pending.read_text(encoding="utf-8").splitlines()] == [
        "compte marc supprimé"]  # another base's event waits for it
    conn.close()


def test_users_command_is_audited_while_the_dashboard_holds_the_base(users: Path, db_file: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess
    import sys

    db.connect(db_file).close()
    monkeypatch.setenv("GOUVERNANCE_PASSWORD", PASSWORD)
    monkeypatch.setattr(auth, "cli_username", lambda: "cli:test")
    # another process holds the database, as the dashboard does
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ouverte', flush=True); sys.stdin.read()", str(db_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ouverte"
        assert cli.users_command("add", "paul", "saisie", None, db_arg=str(db_file)) == 0
        err = capsys.readouterr().err
        assert "non inscrite" not in err and "y inscrira la modification à sa prochaine action" in err
        assert cli.users_command("remove", "paul", db_arg=str(db_file)) == 0
    finally:
        holder.communicate("")
    # the dashboard has stopped: the next user command records what waited, then its own change, in order
    assert cli.users_command("add", "marc", None, None, db_arg=str(db_file)) == 0
    conn = db.connect(db_file)
    assert [d for _, e, d in events(conn) if e == "user_change"] == [
        "compte paul créé, rôle saisie", "compte paul supprimé", "compte marc créé, rôle lecture"]
    conn.close()
