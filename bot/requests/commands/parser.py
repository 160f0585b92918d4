"""Parse the text typed after /pedir into a command.

Pure and total: every input yields a command dataclass or a ParseError whose
code the caller translates. Nothing here looks up teams or people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.commands.dates import find_due_phrase, read_due_value
from bot.commands.grammar import (
    BARE_TEAM,
    DASHES,
    EMAIL,
    MENTION,
    NAME,
    TOKEN,
    ParseError,
    group,
    number,
    record_id,
)
from bot.limits import MAX_TEXT
from bot.text import fold, keyword, squeeze_spaces


@dataclass(frozen=True)
class OpenForm:  # "/pedir" alone: show the request form
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Mine:
    pass


@dataclass(frozen=True)
class Panel:  # "/pedir panel": a one-time link to the web dashboard
    pass


@dataclass(frozen=True)
class Queue:
    team: str | None = None  # without "@"; None: the caller's own teams


@dataclass(frozen=True)
class View:
    request_id: int


@dataclass(frozen=True)
class Claim:
    request_id: int


@dataclass(frozen=True)
class Assign:
    request_id: int
    assignee: str  # an email ("ana@acme.com") or a handle without "@" ("ana")
    note: str | None = None


@dataclass(frozen=True)
class AskInfo:
    request_id: int
    question: str


@dataclass(frozen=True)
class Resolve:
    request_id: int
    note: str | None = None


@dataclass(frozen=True)
class Reject:
    request_id: int
    reason: str


@dataclass(frozen=True)
class Reassign:
    request_id: int
    team: str
    reason: str


@dataclass(frozen=True)
class Reopen:
    request_id: int


@dataclass(frozen=True)
class Comment:
    request_id: int
    text: str


@dataclass(frozen=True)
class Rate:
    request_id: int
    score: int  # 1..5
    comment: str | None = None


@dataclass(frozen=True)
class NewRequest:
    team: str | None  # first "@mention", without "@"
    description: str  # flags removed; "#CLIENTE" and date phrases kept
    customer: str | None = None  # first "#CLIENTE", without "#"
    priority: str = "normal"  # urgent | high | normal | low
    due: date | None = None
    due_phrase: str | None = None  # set only when `due` came from a phrase


Command = (
    OpenForm | Help | Mine | Panel | Queue | View | Claim | Assign | AskInfo | Resolve | Reject
    | Reassign | Reopen | Comment | Rate | NewRequest
)

# Subcommand key -> the words that call it, Spanish name first. Keys double
# as the English names; missing_argument reports the name in the caller's
# locale because that is the language of the reply and its usage hint.
_SUBCOMMANDS = {
    "mine": ("mis", "mine", "my"), "queue": ("cola", "queue"), "view": ("ver", "view", "show"),
    "help": ("ayuda", "help"), "claim": ("tomar", "claim"), "assign": ("asignar", "assign"),
    "ask": ("preguntar", "info", "ask"), "resolve": ("resolver", "resolve"),
    "reject": ("rechazar", "reject"), "reassign": ("reasignar", "reassign"),
    "reopen": ("reabrir", "reopen"), "comment": ("comentar", "comment", "responder", "reply"),
    "rate": ("valorar", "rate"), "panel": ("panel", "dashboard"),
}
_SUBCOMMAND_OF = {word: key for key, words in _SUBCOMMANDS.items() for word in words}
_SPANISH_NAME = {key: words[0] for key, words in _SUBCOMMANDS.items()}
_PRIORITIES = {
    "!urgente": "urgent", "!urgent": "urgent", "!alta": "high", "!high": "high",
    "!normal": "normal", "!baja": "low", "!low": "low",
}
_CUSTOMER = re.compile(rf"(?<![\w#])#({NAME})")
_DUE_FLAG = re.compile(r"(?:para|due):", re.IGNORECASE)
# "PED-12", "ped12", "12".
_REQUEST_ID = re.compile(rf"(?:ped[{DASHES}]?)?([0-9]{{1,10}})")
_ID_LIKE = re.compile(rf"ped[{DASHES}]|[0-9]")
_RATING = re.compile(r"([0-9]{1,3})(?:/5)?")


# key -> (class, reader of the token after the id with its error code, free
# text after that: required?, or None if ignored, as extra words are harmless)
_LIFECYCLE = {
    "view": (View, None, None), "claim": (Claim, None, None), "reopen": (Reopen, None, None),
    "assign": (Assign, (lambda t: group(MENTION, t) or group(EMAIL, t), "bad_assignee"), False),
    "reassign": (Reassign, (lambda t: group(BARE_TEAM, t), "bad_team"), True),
    "rate": (Rate, (lambda t: number(_RATING, t, 5), "bad_rating"), False),
    "ask": (AskInfo, None, True), "resolve": (Resolve, None, False),
    "reject": (Reject, None, True), "comment": (Comment, None, True),
}


def _new_request(text: str, today: date) -> NewRequest | ParseError:
    tokens = list(TOKEN.finditer(text))
    team: str | None = None
    priority, due = "normal", None
    drop: set[int] = set()
    for i, tok in enumerate(tokens):
        if i in drop:  # already consumed as the value of "para: viernes"
            continue
        word = tok[0]
        if team is None and (m := MENTION.fullmatch(word)):
            team = m[1]
        elif word[:1] == "!" and (flag_word := fold(word).rstrip(".,;:")) in _PRIORITIES:
            priority = _PRIORITIES[flag_word]  # the last one wins
        elif flag := _DUE_FLAG.match(word):
            following = [t[0] for t in tokens[i + 1 : i + 3]]
            parsed, value, taken = read_due_value(word[flag.end() :], following, today)
            drop.update(range(i + 1, i + 1 + taken))
            if not value:
                continue  # a bare "para:" with no date after it is just prose
            if parsed is None or parsed < today:
                return ParseError("bad_date" if parsed is None else "past_date", value)
            due = parsed  # the last one wins, like priorities
        else:
            continue
        drop.add(i)
    # Keep what lies between the dropped tokens, line breaks included.
    cuts = [0, *(edge for i in sorted(drop) for edge in tokens[i].span()), len(text)]
    description = squeeze_spaces("".join(text[a:b] for a, b in zip(cuts[::2], cuts[1::2])))
    if not description:
        return ParseError("empty_description")
    if len(description) > MAX_TEXT:
        return ParseError("too_long", str(len(description)))
    customers = (m[1] for m in _CUSTOMER.finditer(description))
    # "#12" is an issue number, not a customer: a customer has a letter.
    customer = next((c for c in customers if any(ch.isalpha() for ch in c)), None)
    phrase = None
    if due is None and (found := find_due_phrase(description, today)):
        due, phrase = found
    return NewRequest(team, description, customer, priority, due, phrase)


def parse(text: str, today: date, english: bool) -> Command | ParseError:
    """Parse `text` typed after /pedir."""
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return OpenForm()
    key = _SUBCOMMAND_OF.get(keyword(tokens[0][0]))
    args = tokens[1:]
    # "ayuda con el excel @it" is a request that happens to start with "ayuda".
    if key is None or (key in ("mine", "help", "panel") and args) or (key == "queue" and len(args) > 1):
        return _new_request(text, today)
    if key in ("mine", "help", "panel"):
        return {"mine": Mine, "help": Help, "panel": Panel}[key]()
    if key == "queue":
        team = group(BARE_TEAM, args[0][0]) if args else None
        return ParseError("bad_team", args[0][0]) if args and not team else Queue(team)
    missing = ParseError("missing_argument", key if english else _SPANISH_NAME[key])
    if not args:
        return missing
    request_id = record_id(_REQUEST_ID, args[0][0])
    if request_id is None:
        # "resolver la VPN @it" is a request to @it, not a mistyped id.
        mentioned = any(MENTION.fullmatch(t[0]) for t in tokens)
        if mentioned and not _ID_LIKE.match(keyword(args[0][0])):
            return _new_request(text, today)
        return ParseError("bad_request_id", args[0][0])
    cls, argument, text_required = _LIFECYCLE[key]
    fields: list[object] = [request_id]
    after = args[0].end()
    if argument is not None:
        if len(args) < 2:
            return missing
        read, code = argument
        if (value := read(args[1][0])) is None:
            return ParseError(code, args[1][0])
        fields.append(value)
        after = args[1].end()
    if text_required is not None:
        body = squeeze_spaces(text[after:])
        if len(body) > MAX_TEXT:
            return ParseError("too_long", str(len(body)))
        if not body and text_required:
            return missing
        fields.append(body or None)
    return cls(*fields)
