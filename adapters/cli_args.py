"""Argument types for `pedir`: each checks one value before any work starts,
and says in one line which values it accepts."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from adapters.cli_errors import file_reason, say
from adapters.console.timeline import EARLIEST, LATEST, in_window
from bot.limits import valid_id
from bot.pulses.commands.parser import pulse_id


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} ({self.prog} --help)\n")


def moment(value: str) -> datetime:
    """--now: an ISO 8601 date and time with its time zone, inside the console's window."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or not in_window(parsed):
        raise argparse.ArgumentTypeError(
            say("cli.now.invalid", value=value, first=EARLIEST.year, last=LATEST.year - 1))
    return parsed


def text_file(value: str) -> Path:
    """A UTF-8 text file that can be read now (--script, org import)."""
    path = Path(value)
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        reason = file_reason(exc, path)
        raise argparse.ArgumentTypeError(say("cli.file.unreadable", path=value, reason=reason)) from None
    return path


def output_file(value: str) -> Path:
    """Where a command writes (--out): anything but an existing folder; the
    writing itself reports a missing folder or a refused permission."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(say("cli.file.unwritable", path=value, reason=say("cli.reason.folder")))
    return path


def https_url(value: str) -> str:
    """--host: Slack and Teams call Pedir only at an https URL."""
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise argparse.ArgumentTypeError(say("cli.host.invalid", value=value))
    return value.strip()


MAX_PROCESSES = 64


def process_count(value: str) -> int:
    """--workers: how many web processes, 1 to MAX_PROCESSES."""
    if not (value.isascii() and value.isdecimal()) or not 0 < int(value) <= MAX_PROCESSES:
        raise argparse.ArgumentTypeError(say("cli.workers.invalid", value=value, most=MAX_PROCESSES))
    return int(value)


# ---------------------------------------------------------------- pulse export (results)


def pulse_ref(value: str) -> int:
    """A pulse as people write it: P-3 (or p3, or 3)."""
    found = pulse_id(value.strip()) if not value.strip().isdecimal() else int(value.strip())
    if not found or not valid_id(found):
        raise argparse.ArgumentTypeError(say("cli.pulse.invalid", value=value))
    return found


def round_number(value: str) -> int:
    if not (value.isascii() and value.isdecimal()) or not 0 < int(value) < 100_000:
        raise argparse.ArgumentTypeError(say("cli.round.invalid", value=value))
    return int(value)
