"""Parse /pulso text: pure and total, like every parser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands.grammar import TOKEN, ParseError, record_id, too_long
from bot.limits import MAX_TEXT
from bot.pulses.states import PULSE_ID
from bot.text import keyword, squeeze_spaces


@dataclass(frozen=True)
class PulseHelp:
    pass


@dataclass(frozen=True)
class PulseNew:
    pass


@dataclass(frozen=True)
class PulseList:
    pass


@dataclass(frozen=True)
class PulseShow:
    pulse_id: int


@dataclass(frozen=True)
class PulsePause:
    pulse_id: int


@dataclass(frozen=True)
class PulseResume:
    pulse_id: int


@dataclass(frozen=True)
class PulseCancel:
    pulse_id: int


@dataclass(frozen=True)
class PulseResults:
    pulse_id: int
    round_number: int | None = None  # None: the latest closed round


@dataclass(frozen=True)
class PulseRespond:
    """The subject team's lead answers the results: what we heard, what we will change."""

    pulse_id: int
    text: str | None  # None: open the form


PulseCommand = (PulseHelp | PulseNew | PulseList | PulseShow | PulsePause | PulseResume | PulseCancel
                | PulseResults | PulseRespond)

_SUBCOMMANDS = {
    "nuevo": "new", "nueva": "new", "crear": "new", "new": "new", "create": "new",
    "lista": "list", "listar": "list", "list": "list",
    "ver": "show", "show": "show", "view": "show",
    "pausar": "pause", "pause": "pause",
    "reanudar": "resume", "resume": "resume",
    "cancelar": "cancel", "cancel": "cancel",
    "resultados": "results", "results": "results",
    "responder": "respond", "respond": "respond", "answer": "respond",
    "ayuda": "help", "help": "help",
}
# The words an "unknown word" answer lists, per language, as the help names them.
VERBS = {
    "es": ("nuevo", "lista", "ver", "pausar", "reanudar", "cancelar", "resultados", "responder", "ayuda"),
    "en": ("new", "list", "show", "pause", "resume", "cancel", "results", "respond", "help"),
}
_SPANISH_NAME = {"show": "ver", "pause": "pausar", "resume": "reanudar", "cancel": "cancelar",
                 "results": "resultados", "respond": "responder"}
_JUST_THE_ID = {"show": PulseShow, "pause": PulsePause, "resume": PulseResume, "cancel": PulseCancel}
_ROUND_WORDS = ("ronda", "round")


def pulse_id(token: str) -> int | None:
    return record_id(PULSE_ID, token)


def parse(text: str, _today: date, english: bool) -> PulseCommand | ParseError:
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return PulseList()
    first, args = tokens[0][0], tokens[1:]
    key = _SUBCOMMANDS.get(keyword(first))
    if key is None:  # "/pulso P-3" alone shows it
        if args or pulse_id(first) is None:
            return ParseError("unknown_command", first)
        key, args = "show", tokens
    if key in ("help", "new", "list"):
        return {"help": PulseHelp, "new": PulseNew, "list": PulseList}[key]()
    if not args:
        return ParseError("missing_argument", key if english else _SPANISH_NAME[key])
    found = pulse_id(args[0][0])
    if found is None:
        return ParseError("bad_pulse_id", args[0][0])
    rest = [token[0] for token in args[1:]]
    if key == "results":
        return _results(found, rest)
    if key == "respond":
        note = squeeze_spaces(text[args[0].end():])
        return too_long(note, MAX_TEXT) or PulseRespond(found, note or None)
    return _JUST_THE_ID[key](found)  # extra words are harmless


def _results(found: int, rest: list[str]) -> PulseResults | ParseError:
    """ "resultados P-3", "resultados P-3 ronda 2", "resultados P-3 2"."""
    if rest and keyword(rest[0]) in _ROUND_WORDS:
        rest = rest[1:]
    if not rest:
        return PulseResults(found)
    number = rest[0].lstrip("#")
    if not (number.isascii() and number.isdecimal()) or not 0 < int(number) < 100_000:
        return ParseError("bad_round", rest[0])
    return PulseResults(found, int(number))
