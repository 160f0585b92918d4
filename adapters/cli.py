"""The `pedir` command line.

Every command runs through one seam (main): a failure that is not a bug
(a missing file, a database that is down, Ctrl-C) is explained in one line
by adapters.cli_errors, and the exit code says it failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from adapters import cli_pulse, logs
from adapters.cli_args import Parser, https_url, moment, output_file, process_count, text_file
from adapters.cli_errors import CliError, explain, say
from bot.config import Settings, get_settings

if TYPE_CHECKING:
    from bot.org.importer import UnseenIntake


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="pedir", description="Pedir: requests between teams, in chat.")
    parser.add_argument("--version", action="version", version=f"pedir {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to Pedir in this terminal")
    chat.add_argument("--demo", action="store_true", help="throwaway database with the demo organisation")
    chat.add_argument("--as", dest="as_email", metavar="EMAIL", help="who you are")
    chat.add_argument("--script", type=text_file, metavar="FILE", help="replay lines from FILE, then exit")
    chat.add_argument("--now", type=moment, metavar="ISO", help="start the clock at this time")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations")
    db_sub.add_parser("current", help="show the schema revision")

    serve = sub.add_parser("serve", help="the HTTP server: Slack and Teams webhooks, health check")
    serve.add_argument("--workers", type=process_count, default=1, metavar="N",
                       help="web processes on one port (gunicorn); more than 1 needs PostgreSQL (default 1)")
    sub.add_parser("worker", help="the scheduler: delivery, and the jobs the domains declare")

    org = sub.add_parser("org", help="organisation directory")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    org_import = org_sub.add_parser("import", help="create or update teams and people from a TOML file")
    org_import.add_argument("file", type=text_file)

    manifest = sub.add_parser("manifest", help="app packages to upload")
    manifest_sub = manifest.add_subparsers(dest="manifest_command", required=True)
    teams = manifest_sub.add_parser("teams", help="the Microsoft Teams app package (.zip)")
    teams.add_argument("--out", type=output_file, default="pedir-teams.zip", metavar="PATH")
    teams.add_argument("--host", metavar="URL", help="public https URL of Pedir (default https://pedir.example.com)")
    slack = manifest_sub.add_parser("slack", help="the Slack app manifest (manifest.json), from the declared commands")
    slack.add_argument("--out", type=output_file, default="manifest.json", metavar="PATH")
    slack.add_argument("--host", type=https_url, metavar="URL", default="https://pedir.example.com",
                       help="public https URL of Pedir (default https://pedir.example.com)")

    pulse = sub.add_parser("pulse", help="pulse surveys")
    pulse_sub = pulse.add_subparsers(dest="pulse_command", required=True)
    cli_pulse.add_commands(pulse_sub)
    return parser


async def _org_import(settings: Settings, path: Path) -> int:
    from bot.clock import SystemClock
    from bot.org.importer import import_org
    from storage.engine import create_engine, session_factory
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        summary = await import_org(session_factory(engine), path, SystemClock().now())
    finally:
        await engine.dispose()
    print(summary if summary.changed else f"nothing changed ({summary})")
    for unseen in summary.unseen_intakes:
        print(unseen_warning(unseen), file=sys.stderr)
    return 0


def unseen_warning(unseen: UnseenIntake) -> str:
    return (f"warning: team {unseen.team}: Pedir has never been in its {unseen.platform} intake channel "
            f"{unseen.channel}, so it cannot receive requests yet (they wait). Add the Pedir app to that "
            f"team in {unseen.platform.capitalize()} and post \"@Pedir ayuda\" once in the channel.")


def _needs_database(args: argparse.Namespace) -> bool:
    return args.command in ("db", "org", "serve", "worker", "pulse") or (args.command == "chat" and not args.demo)


def version() -> str:
    """The installed distribution's version (pyproject.toml's, once `pip install -e .` ran)."""
    try:
        return metadata.version("pedir")
    except metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        logs.configure(get_settings())  # LOG_LEVEL, LOG_FORMAT; broken settings are explained below
        return run(args)
    except (Exception, KeyboardInterrupt) as exc:
        failure = explain(exc)
        if failure is None:
            raise  # a bug: its traceback is what a report needs
        print(failure, file=sys.stderr)
        return failure.code


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if _needs_database(args):
        from storage.engine import ping

        # A server that is down fails here, in one line, not on the first request.
        ping(settings.database_url)
    if args.command == "chat":
        from adapters.console.main import flush_print, run_chat

        return asyncio.run(run_chat(
            demo=args.demo, as_email=args.as_email, script=args.script, now=args.now,
            settings=settings, write=flush_print,
        ))
    if args.command == "db":
        from storage.migrate import current, upgrade

        if args.db_command == "upgrade":
            upgrade(settings.database_url)
        print(current(settings.database_url) or "empty")
        return 0
    if args.command == "org":
        return asyncio.run(_org_import(settings, args.file))
    if args.command == "pulse":
        return asyncio.run(cli_pulse.run(settings, args))
    if args.command == "manifest" and args.manifest_command == "slack":
        from adapters.slack.manifest import write_manifest

        write_manifest(args.out, args.host)
        print(args.out)
        return 0
    if args.command == "manifest":
        from adapters.teams.package import write_package

        try:
            write_package(args.out, settings.microsoft_app_id or "", host=args.host)
        except ValueError as exc:  # the package's checks: app id, host, command menu
            raise CliError(f"error: {exc}", 2) from exc
        print(args.out)
        return 0
    if args.command == "serve" and args.workers > 1:
        from adapters.web.processes import SeveralProcessesNeedPostgres, serve_processes

        try:
            serve_processes(settings, args.workers)
        except SeveralProcessesNeedPostgres as exc:
            raise CliError(say("cli.workers.sqlite"), 2) from exc
        return 0
    if args.command == "serve":
        from adapters.web.server import serve

        serve(settings)
        return 0
    if args.command == "worker":
        from adapters.worker import run_worker

        return asyncio.run(run_worker(settings))
    return 2


if __name__ == "__main__":
    sys.exit(main())
