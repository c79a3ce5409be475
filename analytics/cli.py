"""Command line: every command body. Messages are French; exit code 1 on bad input, never a traceback.

The engine modules return values or raise French exceptions; only this module (and the benchmarks it runs) prints.
Imports are lazy so that `seats` stays instant and needs no database.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

import duckdb

from analytics import settings
from analytics.ingest.templates import parse_date
from analytics.wording.format import number

if TYPE_CHECKING:
    from analytics.access.auth import AuthConfig

_YES = ("o", "oui", "y", "yes")
_P = ParamSpec("_P")


class _Failed(Exception):
    """A command stops here; its French message is already printed."""


def _date(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"date impossible « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")
    return day


def _command(body: Callable[_P, int]) -> Callable[_P, int]:
    """A command body: a database that cannot open ends it with exit code 1 (its message is already printed)."""
    @wraps(body)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> int:
        try:
            return body(*args, **kwargs)
        except _Failed:
            return 1
    return run


def _fail(message: object) -> int:
    print(message, file=sys.stderr)
    return 1


@contextmanager
def _database(db_arg: str | Path | None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database for one command, closed at the end; a French message and exit code 1 when it cannot open, or
    when its disk refuses a write (full, protected) or a damaged block is read on the way."""
    from analytics.store import db

    try:
        conn = db.connect(db_arg, read_only=read_only)
    except db.DatabaseUnavailable as exc:
        print(exc, file=sys.stderr)
        raise _Failed from exc
    try:
        yield conn
    except duckdb.Error as exc:
        failure = db.write_failure(exc, settings.db_path(db_arg))
        if failure is None:
            raise
        print(failure, file=sys.stderr)  # the transaction of the command was rolled back with the failed write
        raise _Failed from exc
    finally:
        try:
            conn.close()
        except duckdb.Error:
            pass  # a fatal write error leaves a database that only closes with an error


@_command
def import_command(files: list[Path], db_arg: str | None) -> int:
    """Import template files in one transaction; list every problem and change nothing on error."""
    from analytics.ingest import importer

    missing = [f for f in files if not f.is_file()]
    for path in missing:
        print(f"{path} : fichier introuvable.", file=sys.stderr)
    if missing:
        return 1
    with _database(db_arg) as conn:
        try:
            result = importer.import_files(conn, files)
        except importer.ImportRefused as refused:
            print(f"Import refusé : {len(refused.problems)} erreur(s), la base n'a pas été modifiée.", file=sys.stderr)
            for problem in refused.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
    print(f"Import réussi : {number(result.added)} ligne(s) ajoutée(s), {number(result.updated)} modifiée(s), "
          f"{number(result.unchanged)} inchangée(s).")
    return 0


@_command
def demo_command(db_arg: str | None, seed: int, today: date | None) -> int:
    """Build the demo database from scratch (the file is replaced)."""
    from analytics.ingest import demo

    path = settings.db_path(db_arg)
    started = time.perf_counter()
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    with _database(path) as conn:
        result = demo.build(conn, seed=seed, today=today or date.today())
    print(f"Base de démonstration créée : {path} ({number(result.added)} lignes, "
          f"{number(time.perf_counter() - started, 1)} s). Toutes les personnes sont fictives.")
    return 0


@_command
def backup_command(folder: Path, db_arg: str | None) -> int:
    """`python -m analytics backup DIR`; while the dashboard holds the base, the backup is asked of it."""
    from analytics.store import backup, backup_schedule, db

    try:
        db.connect(db_arg).close()  # DuckDB lets one process write: is it the dashboard's?
    except db.DatabaseUnavailable as exc:
        if exc.reason != "locked":
            return _fail(exc)
        try:
            # the server's working folder is not ours: it gets an absolute path
            manifest = backup_schedule.ask_server(settings.db_path(db_arg), folder.absolute())
        except backup.BackupError as refused:
            return _fail(refused)
        print(f"Sauvegarde écrite par le tableau de bord en service dans {folder.absolute()} : "
              f"{len(manifest['rows'])} tables, {number(sum(manifest['rows'].values()))} lignes.")
        return 0
    with _database(db_arg) as conn:
        try:
            manifest = backup.backup(conn, folder)
        except backup.BackupError as exc:
            return _fail(exc)
    rows = sum(manifest["rows"].values())
    print(f"Sauvegarde écrite dans {folder} : {len(manifest['rows'])} tables, {number(rows)} lignes.")
    return 0


@_command
def restore_command(folder: Path, db_arg: str | None) -> int:
    """`python -m analytics restore DIR`."""
    from analytics.store import backup, db

    try:
        manifest = backup.restore(folder, db_arg)
    except (backup.BackupError, db.DatabaseUnavailable) as exc:
        return _fail(exc)
    print(f"Base restaurée depuis {folder} (sauvegarde du {manifest['created_at'][:10]}, "
          f"{number(sum(manifest['rows'].values()))} lignes) : {settings.db_path(db_arg)}")
    for warning in manifest["warnings"]:
        print(warning, file=sys.stderr)
    return 0


@_command
def check_command(db_arg: str | None, as_json: bool) -> int:
    """`python -m analytics check [--db BASE] [--json]`: exit 0 when the base is sound (warnings allowed), 1 when a
    check finds a problem, 2 when the base cannot be opened (missing, or held by the dashboard)."""
    from analytics.store import check, db

    path = settings.db_path(db_arg)
    try:
        conn = db.connect(path, read_only=True)  # read-only: a check never migrates nor writes
    except db.DatabaseUnavailable as exc:
        if as_json:
            print(json.dumps({"base": str(path), "ok": False, "unavailable": str(exc)}, ensure_ascii=False))
        else:
            print(f"Vérification impossible : {exc}", file=sys.stderr)
        return 2
    try:
        report = check.check(conn)
    finally:
        conn.close()
    if as_json:
        print(json.dumps(report.as_dict(str(path)), ensure_ascii=False))
    else:
        print(check.render_text(report, str(path)))
    return 0 if report.ok else 1


@_command
def users_command(action: str, username: str | None = None, role: str | None = None, name: str | None = None,
                  *, path: str | Path | None = None, db_arg: str | None = None) -> int:
    """Body of `python -m analytics user add|passwd|role|remove|list`; French messages, exit code 1 on error."""
    from analytics.access import auth

    try:
        config = auth.load_config(path)
        if action == "list":
            return _list_users(config)
        if not username:
            return _fail("Indiquez l'identifiant du compte.")
        username = auth.normalize_username(username)
        exists = username in config.accounts
        if action == "add":
            if exists:
                return _fail(f"Le compte « {username} » existe déjà : changez son mot de passe avec "
                             f"« user passwd {username} ».")
            auth.check_username(username)
            account = auth.set_password(username, _read_password(), role or "lecture", name, path)
            message, detail = (f"Compte « {username} » créé (rôle {account.role}).",
                               f"compte {username} créé, rôle {account.role}")
        elif action in ("passwd", "role", "remove") and not exists:
            return _fail(f"Compte « {username} » inconnu ({settings.users_path(path)}).")
        elif action == "passwd":
            account = auth.set_password(username, _read_password(), role, name, path)
            message, detail = (f"Mot de passe de « {username} » changé.",
                               f"mot de passe de {username} changé, rôle {account.role}")
        elif action == "role":
            account = auth.set_role(username, role, name, path)
            message, detail = (f"Compte « {username} » : rôle {account.role}, nom « {account.name} ».",
                               f"compte {username} modifié, rôle {account.role}")
        elif action == "remove":
            auth.remove_user(username, path)
            message, detail = f"Compte « {username} » supprimé.", f"compte {username} supprimé"
        else:
            return _fail(f"Action « {action} » inconnue (attendu : add, passwd, role, remove, list).")
    except (auth.ConfigError, auth.PasswordRefused) as exc:
        return _fail(exc)
    except (EOFError, KeyboardInterrupt):
        return _fail("\nAbandon : rien n'a été modifié.")
    print(message)
    _audit_user_change(detail, db_arg)
    return 0


def _read_password() -> str:
    import getpass

    from analytics.access import auth

    # scripts and tests give the password in the environment; people type it twice, unseen
    given = settings.password_from_environment()
    if given is not None:
        return given
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != first:
        raise auth.PasswordRefused("Les deux mots de passe diffèrent.")
    return first


def _list_users(config: AuthConfig) -> int:
    from analytics.access import auth

    table = auth.users_table(config)
    if table.empty:
        print(f"Aucun compte local ({config.path}).")
        return 0
    width = max(map(len, table["identifiant"]))
    for row in table.itertuples():
        print(f"{row.identifiant:<{width}}  {row.role:<7}  {row.nom}")
    return 0


def _audit_user_change(detail: str, db_arg: str | None) -> None:
    from analytics.access import auth
    from analytics.store import db

    # the users file is already changed; the database may not exist yet, or the dashboard may hold it: then the
    # event waits beside the users file and the dashboard records it, with its time, at its next rerun
    target = settings.db_path(db_arg)
    if not target.exists():
        return
    try:
        conn = db.connect(target)
    except db.DatabaseUnavailable as unavailable:
        try:
            auth.defer_audit(target, auth.cli_username(), "user_change", detail)
        except OSError as exc:
            print(f"Attention : modification non inscrite au journal d'audit ({exc.strerror}).", file=sys.stderr)
            return
        if getattr(unavailable, "reason", "locked") == "locked":
            print("Journal d'audit : la base est ouverte par le tableau de bord, qui y inscrira la modification à "
                  "sa prochaine action.", file=sys.stderr)
        else:
            print(f"Journal d'audit : {unavailable} La modification y sera inscrite à sa prochaine ouverture.",
                  file=sys.stderr)
        return
    try:
        auth.record_pending_audit(conn, target)  # events kept while the dashboard ran, then this one: in order
        auth.audit(conn, auth.cli_username(), "user_change", detail)
    finally:
        conn.close()


@_command
def erase_command(person_id: int | None, name: str | None, db_arg: str | None, yes: bool) -> int:
    """Body of `python -m analytics erase-person (--id N | --name "NOM Prénom") [--db PATH] [--yes]`."""
    if (person_id is None) == (name is None):
        return _fail("Indiquez soit --id N, soit --name « NOM Prénom ».")
    target = settings.db_path(db_arg)
    if not target.exists():  # connect() would create an empty database and find nobody in it
        return _fail(f"La base de données {target} n'existe pas.")
    with _database(target) as conn:
        code = _erase(conn, person_id, name, yes)
    return code or _rewrite(target)


def _rewrite(target: Path) -> int:
    """After an erasure: the file is copied into a new one, so that no free block keeps the erased name."""
    from analytics.store import db

    if not db.rewrite_marker(target).exists():
        return 0
    try:
        done = db.rewrite(target)
    except db.DatabaseUnavailable as exc:
        return _fail(f"Attention : le nom effacé reste dans des blocs libres du fichier. {exc}")
    if done:
        print("Fichier de la base réécrit : aucun bloc libre ne garde le nom effacé.")
    return 0


def _erase(conn: duckdb.DuckDBPyConnection, person_id: int | None, name: str | None, yes: bool) -> int:
    from analytics.access import auth, privacy

    privacy.finish_erasures(conn)
    if person_id is not None:
        found = privacy.person(conn, person_id)
        if found is None or found["placeholder"]:
            return _fail(f"Aucune personne n° {person_id}.")
        if found["erased"]:
            print(f"La personne n° {person_id} est déjà effacée.")
            return 0
    else:
        matches = privacy.find_person(conn, name or "")
        if matches.empty:
            return _fail(f"Aucune personne ne correspond à « {name} ».")
        if len(matches) > 1:
            print(f"{len(matches)} personnes correspondent à « {name} » :", file=sys.stderr)
            for row in matches.to_dict("records"):
                print(f"  {privacy.describe(row)}", file=sys.stderr)
            return _fail("Relancez avec --id N pour choisir la personne à effacer.")
        found = matches.iloc[0].to_dict()
    print(f"Personne à effacer : {privacy.describe(found)}.")
    print("Son nom sera remplacé par « ANONYME n° … » partout dans la base ; ses appartenances et présences "
          "restent comptées, anonymement. C'est définitif.")
    if not yes:
        try:
            answer = input("Confirmez-vous l'effacement ? (oui/non) ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in _YES:
            return _fail("Abandon : rien n'a été effacé.")
    erased_id = int(found["person_id"])
    privacy.erase_person(conn, erased_id, auth.cli_username())
    print(f"Personne n° {erased_id} effacée. Retirez aussi son nom des fichiers sources (un nouvel import le "
          "recréerait) ; les sauvegardes antérieures le contiennent encore.")
    return 0


@_command
def seats_command(populations: Path, as_json: bool) -> int:
    """`python -m analytics seats --populations FICHIER [--json]`: the droit commun distribution."""
    from analytics.rules import seats

    return seats.command(populations, as_json)


@_command
def indicators_command(db_arg: str | None, start: date | None, end: date | None, as_of: date | None,
                       as_json: bool) -> int:
    """`python -m analytics indicators`: as_of defaults to today, --to to as_of, --from to the start of the rolling
    12 months ending at --to; prints JSON with --json, else a French summary."""
    from analytics.outputs import indicators
    from analytics.rules import cadence
    from analytics.rules.periods import rolling_12_months
    from analytics.wording.format import long_date

    as_of = as_of or date.today()
    end = end or as_of
    start = start or rolling_12_months(end)[0]
    if start > end:
        return _fail(f"Période vide : le début ({long_date(start)}) est après la fin ({long_date(end)}).")
    with _database(db_arg, read_only=True) as conn:
        result = indicators.compute(conn, start, end, as_of)
        catalogue = cadence.catalogue(conn)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(indicators.render_text(result, catalogue))
    return 0


@_command
def report_command(month: str, db_arg: str | None, out: Path, anonymise: bool) -> int:
    """`python -m analytics report --month AAAA-MM [--db BASE] --out FICHIER.pdf [--anonymise]`."""
    from analytics.report import pack

    try:
        first = pack.parse_month(month)
        pack.pack_dates(first)  # refuse a month to come before opening anything
    except ValueError as exc:
        return _fail(f"Dossier non produit : {exc}.")
    out = Path(out)
    if not out.parent.is_dir():
        return _fail(f"Dossier non produit : le dossier {out.parent} n'existe pas.")
    started = time.perf_counter()
    with _database(db_arg, read_only=True) as conn:
        try:
            pdf = pack.build_pack(conn, first, anonymise=anonymise)
        except (ValueError, pack.NameLeak) as exc:
            return _fail(f"Dossier non produit : {exc}.")
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        return _fail(f"Dossier non produit : impossible d'écrire {out} ({exc.strerror}).")
    edition = "anonymisée" if anonymise else "interne (nominative)"
    print(f"Dossier {pack.month_of(first)} écrit : {out} (édition {edition}, {number(len(pdf) / 1024)} Ko, "
          f"{number(time.perf_counter() - started, 1)} s).")
    return 0


@_command
def forecast_command(db_arg: str | None, body: str, as_of: date | None, as_json: bool, backtest: bool = False) -> int:
    """`python -m analytics forecast [--db BASE] [--instance CODE] [--as-of DATE] [--json] [--backtest]`: the quorum
    forecast of every planned sitting of the body after as_of (default today), or its backtest on the held ones."""
    from analytics.outputs import forecast

    with _database(db_arg, read_only=True) as conn:
        try:
            if backtest:
                scored = forecast.backtest(conn, body)
            else:
                result = forecast.forecast(conn, as_of or settings.today(), body)
        except ValueError as exc:
            return _fail(f"Prévision impossible : {exc}.")
    if backtest:
        print(json.dumps(forecast.backtest_json(scored), ensure_ascii=False) if as_json
              else forecast.render_backtest(scored))
    else:
        print(json.dumps(forecast.as_json(result), ensure_ascii=False) if as_json else forecast.render_text(result))
    return 0


@_command
def minutes_command(path: Path, body: str, day: date | None, db_arg: str | None, as_json: bool, apply: bool,
                    agenda_path: Path | None = None) -> int:
    """`python -m analytics minutes FICHIER [--instance CODE] [--date AAAA-MM-JJ] [--db BASE] [--json] [--apply]
    [--ordre-du-jour FICHIER]`: the attendance read from the minutes, written with --apply only when every name is
    resolved (exit 1 otherwise, the base untouched)."""
    from analytics.access import auth
    from analytics.ingest.minutes import MinutesError, extract_text, read_minutes
    from analytics.ingest.minutes import sitting as minutes

    for given in (path, agenda_path):
        if given is not None and not given.is_file():
            return _fail(f"{given} : fichier introuvable.")
    try:
        lines = extract_text(path.name, path.read_bytes())
        agenda = (agenda_path.name, agenda_path.read_bytes()) if agenda_path else None
        if day is None:
            day = read_minutes(lines, []).sitting_date  # the date only: no member is needed to find it
            if day is None:
                return _fail(f"{path.name} : la date de la séance n'a pas été trouvée dans le texte ; indiquez-la "
                             "avec --date AAAA-MM-JJ.")
    except MinutesError as exc:
        return _fail(f"{path.name} : {exc}")
    except OSError as exc:
        return _fail(f"{path.name} : lecture impossible ({exc.strerror}).")
    with _database(db_arg, read_only=not apply) as conn:
        if not minutes.known_body(conn, body):
            return _fail(f"Instance inconnue « {body} ».")
        roster = minutes.roster(conn, body, day)
        if not roster.members:
            return _fail(f"Personne n'est membre de l'instance {body} le {day:%d/%m/%Y} : importez d'abord ses "
                         "membres.")
        try:
            reading = read_minutes(lines, roster.members)
        except MinutesError as exc:
            return _fail(f"{path.name} : {exc}")
        if reading.sitting_date and reading.sitting_date != day:
            reading.warnings.append(f"Le texte date la séance du {reading.sitting_date:%d/%m/%Y}, la commande du "
                                    f"{day:%d/%m/%Y} : la date de la commande est retenue.")
        print(json.dumps(minutes.as_json(reading, roster), ensure_ascii=False) if as_json
              else minutes.render_text(reading, roster, path.name))
        if not apply:
            return 0
        said = sys.stderr if as_json else sys.stdout
        try:
            plan = minutes.plan(conn, reading, roster, path.name, agenda)
            for note in plan.notes:
                print(note, file=said)
            result = minutes.apply(conn, plan, path.name, username=auth.cli_username(), source="cli",
                                   today=settings.today())
        except MinutesError as exc:
            return _fail(exc)
    print(f"Procès-verbal enregistré : {number(plan.attendance_rows)} présence(s) lue(s) ; {number(result.added)} "
          f"ligne(s) ajoutée(s), {number(result.updated)} modifiée(s), {number(result.unchanged)} inchangée(s).",
          file=said)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Gouvernance m2A — moteur d'analyse.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    imp = commands.add_parser("import", help="importer des fichiers de membres, séances et présences")
    imp.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    imp.add_argument("--db", help="base DuckDB (défaut : $GOUVERNANCE_DB ou data/gouvernance.duckdb)")

    for name, text in (("backup", "copier toute la base dans un dossier (Parquet)"),
                       ("restore", "remplacer la base par une sauvegarde")):
        command = commands.add_parser(name, help=text)
        command.add_argument("folder", type=Path, metavar="DOSSIER")
        command.add_argument("--db")

    health = commands.add_parser("check", help="vérifier une base : schéma, contraintes, compteurs (0 : saine)")
    health.add_argument("--db", help="base DuckDB (défaut : $GOUVERNANCE_DB ou data/gouvernance.duckdb)")
    health.add_argument("--json", action="store_true")

    user = commands.add_parser("user", help="gérer les comptes locaux (config/utilisateurs.toml)")
    user.add_argument("action", choices=["add", "passwd", "role", "remove", "list"])
    user.add_argument("username", nargs="?", metavar="IDENTIFIANT")
    user.add_argument("--role", choices=["lecture", "saisie", "admin"])
    user.add_argument("--name", metavar="NOM", help="nom affiché")
    user.add_argument("--db")

    erase = commands.add_parser("erase-person", help="effacer les données personnelles d'une personne")
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument("--id", type=int, dest="person_id")
    who.add_argument("--name", metavar="« NOM Prénom »")
    erase.add_argument("--db")
    erase.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")

    demo = commands.add_parser("demo", help="construire la base de démonstration (données fictives)")
    demo.add_argument("--db")
    demo.add_argument("--seed", type=int, default=2020)
    demo.add_argument("--today", type=_date, help="date du jour simulée (défaut : aujourd'hui)")

    seats = commands.add_parser("seats", help="répartition des sièges de droit commun (CGCT L5211-6-1)")
    seats.add_argument("--populations", type=Path, required=True, metavar="FICHIER")
    seats.add_argument("--json", action="store_true")

    ind = commands.add_parser("indicators", help="assiduité, cadence, quorum et alertes")
    ind.add_argument("--db")
    ind.add_argument("--from", dest="start", type=_date)
    ind.add_argument("--to", dest="end", type=_date)
    ind.add_argument("--as-of", dest="as_of", type=_date)
    ind.add_argument("--json", action="store_true")

    ahead = commands.add_parser("forecast", help="prévision du quorum des séances prévues (et sa rétro-évaluation)")
    ahead.add_argument("--db")
    ahead.add_argument("--instance", default="conseil", metavar="CODE", help="instance (défaut : conseil)")
    ahead.add_argument("--as-of", dest="as_of", type=_date, help="situation à cette date (défaut : aujourd'hui)")
    ahead.add_argument("--json", action="store_true")
    ahead.add_argument("--backtest", action="store_true",
                       help="rejouer chaque séance tenue avec ce qui était connu avant elle (score de Brier)")

    minutes = commands.add_parser("minutes", help="lire les présences d'un procès-verbal (.txt, .pdf, .docx, .odt)")
    minutes.add_argument("file", type=Path, metavar="FICHIER")
    minutes.add_argument("--instance", default="conseil", metavar="CODE", help="instance (défaut : conseil)")
    minutes.add_argument("--date", type=_date, metavar="AAAA-MM-JJ",
                         help="date de la séance (défaut : lue dans le texte)")
    minutes.add_argument("--db")
    minutes.add_argument("--json", action="store_true")
    minutes.add_argument("--apply", action="store_true",
                         help="enregistrer la séance et ses présences (seulement si chaque nom est reconnu)")
    minutes.add_argument("--ordre-du-jour", dest="agenda", type=Path, metavar="FICHIER",
                         help="ordre du jour de la séance (modèle « ordre du jour »), si le procès-verbal n'en "
                              "liste pas")

    report = commands.add_parser("report", help="dossier mensuel PDF de la réunion de direction")
    report.add_argument("--month", required=True, metavar="AAAA-MM")
    report.add_argument("--db")
    report.add_argument("--out", type=Path, required=True, metavar="FICHIER.pdf")
    report.add_argument("--anonymise", action="store_true", help="édition sans aucun nom de personne")

    bench = commands.add_parser("bench", help="mesurer la vitesse (indicateurs par défaut, import, dossier PDF)")
    bench.add_argument("--scales", type=int, nargs="+", metavar="LIGNES", help="tailles des indicateurs")
    what = bench.add_subparsers(dest="bench", metavar="MESURE")
    indicators = what.add_parser("indicators", help="indicateurs sur 100 k, 1 M et 10 M lignes, et l'oracle pandas")
    indicators.add_argument("--scales", type=int, nargs="+", metavar="LIGNES")
    indicators.add_argument("--oracle-up-to", type=int, metavar="LIGNES",
                            help="ne pas lancer l'oracle pandas au-delà de ce nombre de lignes")
    imports = what.add_parser("import", help="import d'un million de présences")
    imports.add_argument("--rows", type=int, default=1_000_000, metavar="LIGNES")
    imports.add_argument("--runs", type=int, default=5, help="exécutions par mesure (5 au moins)")
    writes = what.add_parser("write", help="écritures (une séance, un import de 100 lignes) sur une grande base")
    writes.add_argument("--rows", type=int, default=10_000_000, metavar="LIGNES", help="taille de la base générée")
    writes.add_argument("--base", type=Path, metavar="FICHIER", help="base de banc d'essai déjà générée (copiée)")
    writes.add_argument("--runs", type=int, default=5, help="exécutions par mesure (5 au moins)")
    pdf = what.add_parser("report", help="construction du dossier mensuel")
    pdf.add_argument("--db", help="base DuckDB (défaut : la base de démonstration, construite à part)")
    pdf.add_argument("--month", default=None, metavar="AAAA-MM")
    pdf.add_argument("--runs", type=int, default=5)

    # kept for the scripts written against the first version
    bench_import = commands.add_parser("bench-import", help="mesurer la vitesse de l'import (= bench import)")
    bench_import.add_argument("--rows", type=int, default=1_000_000, metavar="LIGNES")
    bench_import.add_argument("--runs", type=int, default=5, help="exécutions par mesure (5 au moins)")
    return parser


def _bench(args: argparse.Namespace) -> int:
    if args.command == "bench-import" or args.bench == "import":
        from analytics.bench import imports

        return imports.command(args.rows, args.runs)
    if args.bench == "write":
        from analytics.bench import writes

        return writes.command(args.rows, args.runs, args.base)
    if args.bench == "report":
        from analytics.bench import report

        return report.command(args.db, args.month, args.runs)
    from analytics.bench import indicators

    return indicators.command(args.scales, oracle_up_to=getattr(args, "oracle_up_to", None))


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code."""
    args = _parser().parse_args(argv)
    if args.command == "import":
        return import_command(args.files, args.db)
    if args.command == "backup":
        return backup_command(args.folder, args.db)
    if args.command == "restore":
        return restore_command(args.folder, args.db)
    if args.command == "check":
        return check_command(args.db, args.json)
    if args.command == "user":
        return users_command(args.action, args.username, args.role, args.name, db_arg=args.db)
    if args.command == "erase-person":
        return erase_command(args.person_id, args.name, args.db, args.yes)
    if args.command == "demo":
        return demo_command(args.db, args.seed, args.today)
    if args.command == "seats":
        return seats_command(args.populations, args.json)
    if args.command == "indicators":
        return indicators_command(args.db, args.start, args.end, args.as_of, args.json)
    if args.command == "report":
        return report_command(args.month, args.db, args.out, args.anonymise)
    if args.command == "forecast":
        return forecast_command(args.db, args.instance, args.as_of, args.json, args.backtest)
    if args.command == "minutes":
        return minutes_command(args.file, args.instance, args.date, args.db, args.json, args.apply, args.agenda)
    return _bench(args)


if __name__ == "__main__":
    sys.exit(main())
