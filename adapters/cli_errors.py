"""The one place where `pedir` turns a failure that is not a bug into one line.

adapters.cli.main runs every command through `explain`: a file that cannot
be read or written, a database that is down or misconfigured, broken
settings, Ctrl-C. Each becomes one clear line for stderr and an exit code,
never with a password in it. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from bot.config import DEFAULT_DATABASE_URL, get_settings
from bot.i18n import t

INTERRUPTED = 130  # what shells report for a process stopped by SIGINT


class CliError(Exception):
    """A failure already put into words for the operator."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def cli_locale() -> str | None:
    """The operator's language (PEDIR_LOCALE), even when other settings are broken."""
    try:
        return get_settings().locale
    except Exception:  # noqa: BLE001  (the broken settings are reported on their own)
        return os.environ.get("PEDIR_LOCALE")


def say(key: str, **values: object) -> str:
    return t(cli_locale(), key, **values)


def file_reason(exc: OSError | UnicodeError, path: Path | str) -> str:
    """Why a file could not be used, in a few words instead of an errno."""
    if isinstance(exc, UnicodeError):
        return say("cli.reason.not_text")
    if isinstance(exc, FileNotFoundError) and not Path(path).parent.is_dir():
        return say("cli.reason.no_folder", folder=Path(path).parent)
    if isinstance(exc, FileNotFoundError):
        return say("cli.reason.missing")
    if isinstance(exc, IsADirectoryError):
        return say("cli.reason.folder")
    if isinstance(exc, PermissionError):
        return say("cli.reason.denied")
    return exc.strerror or exc.__class__.__name__


def explain(exc: BaseException) -> CliError | None:
    """The one-line account of a failure, or None for a bug. Looks through
    `raise ... from` causes: SQLAlchemy wraps the driver's error, for one."""
    for cause in _causes(exc):
        if (failure := _explain_one(cause)) is not None:
            return failure
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__


def _explain_one(exc: BaseException) -> CliError | None:  # noqa: PLR0911  (one case a line)
    # Imported here: the CLI starts faster, and `pedir --help` needs none of them.
    from alembic.util.exc import CommandError
    from pydantic import ValidationError
    from sqlalchemy.exc import InterfaceError, OperationalError

    from adapters.slack.authorization import TokenRefused
    from bot.org.spec import OrgFileError
    from storage.engine import DatabaseUrlError, UnsupportedDatabase, location

    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return CliError(say("cli.interrupted"), INTERRUPTED)
    if isinstance(exc, UnsupportedDatabase):
        return CliError(say("cli.db.unsupported", backend=exc.backend))
    if isinstance(exc, DatabaseUrlError):
        return CliError(say("cli.db.bad_url"))
    url = _configured_database_url()
    if isinstance(exc, OperationalError | InterfaceError):
        return CliError(say("cli.db.unreachable", where=location(url), reason=_driver_reason(exc, url)))
    if isinstance(exc, CommandError):
        return CliError(say("cli.db.migrations", where=location(url), reason=_hide_password(str(exc), url)))
    if isinstance(exc, ValidationError) and exc.title == "Settings":
        # Names and rules only: the rejected value may be a secret.
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return CliError(say("cli.config.invalid", problems=problems))
    if isinstance(exc, OrgFileError):
        return CliError(f"error: {exc}")
    if isinstance(exc, TokenRefused):
        return CliError(say("cli.slack.token_refused", error=exc.error))
    if isinstance(exc, OSError) and exc.filename:
        return CliError(say("cli.file.failed", path=exc.filename, reason=file_reason(exc, exc.filename)))
    return None


def _configured_database_url() -> str:
    try:
        return get_settings().database_url
    except Exception:  # noqa: BLE001  (broken settings are explained on their own)
        return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def _driver_reason(exc: BaseException, url: str) -> str:
    """The driver's own words, first line, without its preamble: 'Connection refused'."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0] if text else exc.__class__.__name__
    # psycopg: 'connection failed: connection to server at "h", port 5432 failed: Connection refused'
    reason = re.sub(r"\s+", " ", first.rsplit("failed: ", 1)[-1]).strip()
    return _hide_password(reason, url)


def _hide_password(text: str, url: str) -> str:
    """Drivers do not echo passwords, but a wrong one must never reach a log by accident."""
    from storage.engine import DatabaseUrlError, sync_url

    try:
        password = sync_url(url).password
    except DatabaseUrlError:
        return text
    return text.replace(str(password), "***") if password else text
