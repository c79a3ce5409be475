"""Command line: import, demo, seats, indicators, benchmarks. Messages are French; exit code 1 on bad input."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from analytics.ingest.templates import parse_date


def _date(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(f"date impossible « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")
    return day


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

    report = commands.add_parser("report", help="dossier mensuel PDF de la réunion de direction")
    report.add_argument("--month", required=True, metavar="AAAA-MM")
    report.add_argument("--db")
    report.add_argument("--out", type=Path, required=True, metavar="FICHIER.pdf")
    report.add_argument("--anonymise", action="store_true", help="édition sans aucun nom de personne")

    bench_import = commands.add_parser("bench-import", help="mesurer la vitesse de l'import")
    bench_import.add_argument("--rows", type=int, default=1_000_000, metavar="LIGNES")

    bench = commands.add_parser("bench", help="mesurer la vitesse des indicateurs")
    bench.add_argument("--scales", type=int, nargs="+", metavar="LIGNES")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code."""
    args = _parser().parse_args(argv)
    # imports are lazy so that `seats` stays instant and needs no database
    if args.command == "import":
        from analytics.commands import import_command

        return import_command(args.files, args.db)
    if args.command in ("backup", "restore"):
        from analytics.store import backup

        run = backup.backup_command if args.command == "backup" else backup.restore_command
        return run(args.folder, args.db)
    if args.command == "user":
        from analytics.access import auth

        return auth.users_command(args.action, args.username, args.role, args.name, db_arg=args.db)
    if args.command == "erase-person":
        from analytics.access import privacy

        return privacy.erase_command(args.person_id, args.name, args.db, args.yes)
    if args.command == "demo":
        from analytics.commands import demo_command

        return demo_command(args.db, args.seed, args.today)
    if args.command == "seats":
        from analytics.rules import seats

        return seats.command(args.populations, args.json)
    if args.command == "indicators":
        from analytics.outputs import indicators

        return indicators.command(args.db, args.start, args.end, args.as_of, args.json)
    if args.command == "report":
        from analytics.report import pack as report

        return report.command(args.month, args.db, args.out, args.anonymise)
    if args.command == "bench-import":
        from analytics.bench import imports as import_bench

        return import_bench.command(args.rows)
    if args.command == "bench":
        from analytics.bench import indicators as bench

        return bench.command(args.scales)
    return 2  # unreachable: argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
