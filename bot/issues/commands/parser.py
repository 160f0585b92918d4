"""Parse /incidencia, /incidencias and /estado text.

Customer issues: opened against a customer, followed by people and teams,
updated with status posts. Pure and total, like every parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.commands.grammar import (
    BARE_TEAM,
    DASHES,
    MENTION,
    TOKEN,
    ParseError,
    customer_tag,
    group,
    record_id,
    too_long,
)
from bot.limits import MAX_TEXT, MAX_TITLE
from bot.text import fold, keyword, squeeze_spaces


@dataclass(frozen=True)
class IssueHelp:
    pass


@dataclass(frozen=True)
class IssueNew:
    customer: str  # first "#NAME" with a letter, without "#"
    severity: str | None  # "sev1".."sev4"
    title: str  # one line, the three tokens above removed
    team: str | None  # owner team: first "@mention", without "@"


@dataclass(frozen=True)
class IssueView:
    issue_id: int


@dataclass(frozen=True)
class IssueClose:
    issue_id: int
    note: str | None


@dataclass(frozen=True)
class IssueFollow:
    issue_id: int


@dataclass(frozen=True)
class IssueUnfollow:
    issue_id: int


@dataclass(frozen=True)
class IssueAdd:
    issue_id: int
    targets: tuple[str, ...]  # handles without "@", team slugs or emails


@dataclass(frozen=True)
class IssueRemove:
    issue_id: int
    targets: tuple[str, ...]


@dataclass(frozen=True)
class IssueMonitor:
    issue_id: int
    note: str | None


@dataclass(frozen=True)
class IssueReopen:
    issue_id: int


@dataclass(frozen=True)
class IssueSeverity:
    issue_id: int
    severity: str


@dataclass(frozen=True)
class IssueReassign:
    issue_id: int
    team: str  # the new owner team, without "@"
    reason: str | None


@dataclass(frozen=True)
class IssueList:
    customer: str | None  # None: every open issue


@dataclass(frozen=True)
class StatusPost:
    issue_id: int
    text: str  # line breaks kept

IssueCommand = (
    IssueHelp | IssueNew | IssueView | IssueClose | IssueFollow | IssueUnfollow | IssueAdd
    | IssueRemove | IssueMonitor | IssueReopen | IssueSeverity | IssueReassign | IssueList | StatusPost
)

# Subcommand key (the English name) -> the words that call it, Spanish name first.
_SUBCOMMANDS = {
    "help": ("ayuda", "help"), "new": ("nueva", "new"), "view": ("ver", "view", "show"),
    "close": ("cerrar", "close"), "follow": ("seguir", "follow"), "unfollow": ("dejar", "unfollow"),
    "add": ("añadir", "agregar", "add"), "remove": ("quitar", "remove"),
    "monitor": ("monitorizar", "vigilar", "monitor"), "reopen": ("reabrir", "reopen"),
    "severity": ("severidad", "sev", "severity"), "reassign": ("reasignar", "reassign"),
}
# The words an "unknown word" answer lists, per language, as the help names them.
VERBS = {
    "es": ("nueva", "ver", "seguir", "dejar", "añadir", "quitar", "vigilar", "cerrar", "reabrir", "severidad",
           "reasignar", "ayuda"),
    "en": ("new", "view", "follow", "unfollow", "add", "remove", "monitor", "close", "reopen", "severity",
           "reassign", "help"),
}
_SUBCOMMAND_OF = {fold(word): key for key, words in _SUBCOMMANDS.items() for word in words}
_SPANISH_NAME = {key: words[0] for key, words in _SUBCOMMANDS.items()}
_JUST_THE_ID = {
    "view": IssueView, "follow": IssueFollow, "unfollow": IssueUnfollow, "reopen": IssueReopen,
}
_WITH_NOTE = {"close": IssueClose, "monitor": IssueMonitor}
_WITH_TARGETS = {"add": IssueAdd, "remove": IssueRemove}

# "INC-7", "inc7", "#7", "7".
ISSUE_ID = re.compile(rf"(?:inc[{DASHES}]?|#)?([0-9]{{1,10}})")
_ID_LIKE = re.compile(rf"inc[{DASHES}0-9]|#?[0-9]")
_SEVERITY = re.compile(r"sev[-–—_]?([1-4])")
_SEVERITY_LIKE = re.compile(r"sev[-–—_]?[0-9]+")  # "sev9": meant as one, reported as bad


def _issue_id(token: str) -> int | None:
    return record_id(ISSUE_ID, token)


def _severity(token: str) -> str | None:
    m = _SEVERITY.fullmatch(keyword(token))
    return f"sev{m[1]}" if m else None


def _targets(words: list[str]) -> tuple[str, ...]:
    """"@ana.garcia," -> "ana.garcia"; emails whole; "@a,@b" is two; repeats once."""
    pieces = (piece for word in words for piece in re.split(r"[,;]", word))
    cleaned = (piece.removeprefix("@").rstrip(".,;:!?") for piece in pieces)
    return tuple(dict.fromkeys(target for target in cleaned if target))


def _new_issue(words: list[str], missing: ParseError) -> IssueNew | ParseError:
    if not words:
        return missing
    customer = severity = team = None
    title: list[str] = []
    for word in words:  # the first of each kind is taken; later ones stay in the title
        if customer is None and (found := customer_tag(word)):
            customer = found
        elif severity is None and _SEVERITY_LIKE.fullmatch(keyword(word)):
            if (severity := _severity(word)) is None:
                return ParseError("bad_severity", word)
        elif team is None and (m := MENTION.fullmatch(word)):
            team = m[1]
        else:
            title.append(word)
    if customer is None:
        return ParseError("missing_customer")
    if not title:
        return ParseError("empty_title")
    text = " ".join(title)
    return too_long(text, MAX_TITLE) or IssueNew(customer, severity, text, team)


def parse_issue(text: str, _today: date, english: bool) -> IssueCommand | ParseError:
    """Parse `text` typed after /incidencia."""
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return IssueHelp()
    first, args = tokens[0][0], tokens[1:]
    key = _SUBCOMMAND_OF.get(keyword(first))
    if key is None:  # "/incidencia INC-7" alone views it
        if args or not _ID_LIKE.match(keyword(first)):
            return ParseError("unknown_command", first)
        key, args = "view", tokens
    if key == "help":
        return IssueHelp()
    missing = ParseError("missing_argument", key if english else _SPANISH_NAME[key])
    if key == "new":
        return _new_issue([t[0] for t in args], missing)
    if key == "unfollow" and [keyword(t[0]) for t in args[:2]] == ["de", "seguir"]:
        args = args[2:]  # "dejar de seguir INC-7"
    if not args:
        return missing
    issue_id = _issue_id(args[0][0])
    if issue_id is None:
        return ParseError("bad_issue_id", args[0][0])
    rest = [t[0] for t in args[1:]]
    if key in _WITH_TARGETS:
        targets = _targets(rest)
        return _WITH_TARGETS[key](issue_id, targets) if targets else missing
    if key == "reassign":
        return _reassign(issue_id, args[1:], text, missing)
    if key == "severity":
        if not rest:
            return missing
        severity = _severity(rest[0])
        if severity is None:
            return ParseError("bad_severity", rest[0])
        return IssueSeverity(issue_id, severity)
    if key in _WITH_NOTE:
        note = squeeze_spaces(text[args[0].end() :])
        return too_long(note, MAX_TEXT) or _WITH_NOTE[key](issue_id, note or None)
    return _JUST_THE_ID[key](issue_id)  # extra words are harmless


def _reassign(issue_id: int, args: list[re.Match[str]], text: str, missing: ParseError) -> IssueReassign | ParseError:
    """ "reasignar INC-1 @soporte es un fallo del conector": the new owner team, and why."""
    if not args:
        return missing
    team = group(BARE_TEAM, args[0][0])
    if team is None:
        return ParseError("bad_team", args[0][0])
    reason = squeeze_spaces(text[args[0].end():])
    return too_long(reason, MAX_TEXT) or IssueReassign(issue_id, team, reason or None)


def parse_status(text: str, _today: date, english: bool) -> StatusPost | ParseError:
    """Parse `text` typed after /estado."""
    m = TOKEN.search(text)
    if m is None:
        return ParseError("missing_argument", "status" if english else "estado")
    issue_id = _issue_id(m[0])
    if issue_id is None:
        return ParseError("bad_issue_id", m[0])
    body = squeeze_spaces(text[m.end() :])  # line breaks kept, as in requests
    if not body:
        return ParseError("empty_status")
    return too_long(body, MAX_TEXT) or StatusPost(issue_id, body)


def parse_issues(text: str, _today: date, _english: bool) -> IssueList:
    """ "/incidencias #ACME", "/incidencias Banco Sol": the open issues, of one customer or all."""
    return IssueList(" ".join(text.split()).lstrip("#").strip() or None)


def is_status_post(words: list[str]) -> bool:
    """ "estado INC-7 …" is a status update, whatever it mentions; "estado de la
    factura @facturacion" is a request. Alone, it is someone asking how it works."""
    if len(words) == 2 and keyword(words[1]) in ("ayuda", "help"):
        return True  # "estado ayuda": how it works
    return len(words) == 1 or ISSUE_ID.fullmatch(keyword(words[1])) is not None
