"""Parse the text typed after /pedir into a command.

Pure and total: every input yields a command dataclass or a ParseError whose
code the caller translates. Nothing here looks up teams or people.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

from bot.commands.dates import read_due_value
from bot.commands.due_phrases import read_due
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
from bot.requests.states import display_id
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
class Withdraw:  # the requester takes their own request back
    request_id: int
    reason: str | None = None


@dataclass(frozen=True)
class Language:
    code: str | None  # "es" | "en"; None: say which one is in use and how to change it


@dataclass(frozen=True)
class NewRequest:
    team: str | None  # first "@mention", without "@"
    description: str  # flags removed; "#CLIENTE" and date phrases kept
    customer: str | None = None  # first "#CLIENTE", without "#"
    priority: str = "normal"  # urgent | high | normal | low
    due: date | None = None
    due_phrase: str | None = None  # set only when `due` came from a phrase
    # A deadline phrase that gave no date ("antes del 31 de febrero"), as written,
    # and whether that was because its day has passed: the reply says so.
    unread_due: str | None = None
    unread_due_past: bool = False
    # "@mentions" after the first, without "@": the handler warns if one is a team.
    other_mentions: tuple[str, ...] = ()


Command = (
    OpenForm | Help | Mine | Panel | Queue | View | Claim | Assign | AskInfo | Resolve | Reject
    | Reassign | Reopen | Comment | Rate | Withdraw | Language | NewRequest
)

# Subcommand key -> the words that call it, Spanish name first. A message
# about a missing part repeats the word as the user typed it.
_SUBCOMMANDS = {
    "mine": ("mis", "mine", "my"), "queue": ("cola", "queue"), "view": ("ver", "view", "show"),
    "help": ("ayuda", "help"), "claim": ("tomar", "claim"), "assign": ("asignar", "assign"),
    "ask": ("preguntar", "info", "ask"), "resolve": ("resolver", "resolve"),
    "reject": ("rechazar", "reject"), "reassign": ("reasignar", "reassign"),
    "reopen": ("reabrir", "reopen"), "comment": ("comentar", "comment", "responder", "reply"),
    "rate": ("valorar", "rate"), "withdraw": ("cancelar", "retirar", "anular", "cancel", "withdraw"),
    "language": ("idioma", "language"), "panel": ("panel", "dashboard"),
}
# The words an "unknown word" answer lists, per language, as the help names them.
VERBS = {
    "es": ("@equipo qué necesitas", "mis", "cola", "ver", "cancelar", "tomar", "asignar", "info", "comentar",
           "resolver", "rechazar", "reasignar", "reabrir", "valorar", "idioma", "panel", "ayuda"),
    "en": ("@team what you need", "mine", "queue", "view", "cancel", "claim", "assign", "ask", "comment",
           "resolve", "reject", "reassign", "reopen", "rate", "language", "panel", "help"),
}
_SUBCOMMAND_OF = {word: key for key, words in _SUBCOMMANDS.items() for word in words}
# What a lifecycle command lacks when the text after its id is missing
# (ParseError code; the catalog's message names it and gives an example).
_MISSING_AFTER_ID = {
    "assign": "missing_assignee", "reassign": "missing_team_and_reason", "rate": "missing_rating",
    "ask": "missing_question", "reject": "missing_reason", "comment": "missing_comment",
}
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
# What an unknown first word may be followed by and still be a mistyped command, not
# a request: "PED-15", "INC-3" (a bare "15" only as the last word: "llamar 3 veces" is prose).
_RECORD_REF = re.compile(rf"(?:ped|inc)[{DASHES}]?[0-9]+")
_LANGUAGES = {
    "es": "es", "espanol": "es", "castellano": "es", "spanish": "es",
    "en": "en", "english": "en", "ingles": "en",
}


# key -> (class, reader of the token after the id with its error code, free
# text after that: required?, or None if ignored, as extra words are harmless)
_LIFECYCLE = {
    "view": (View, None, None), "claim": (Claim, None, None), "reopen": (Reopen, None, None),
    "assign": (Assign, (lambda t: group(MENTION, t) or group(EMAIL, t), "bad_assignee"), False),
    "reassign": (Reassign, (lambda t: group(BARE_TEAM, t), "bad_team"), True),
    "rate": (Rate, (lambda t: number(_RATING, t, 5), "bad_rating"), False),
    "ask": (AskInfo, None, True), "resolve": (Resolve, None, False),
    "reject": (Reject, None, True), "comment": (Comment, None, True),
    "withdraw": (Withdraw, None, False),
}


def _new_request(text: str, today: date) -> NewRequest | ParseError:
    tokens = list(TOKEN.finditer(text))
    team: str | None = None
    others: list[str] = []
    priority, due = "normal", None
    drop: set[int] = set()
    for i, tok in enumerate(tokens):
        if i in drop:  # already consumed as the value of "para: viernes"
            continue
        word = tok[0]
        if m := MENTION.fullmatch(word):
            if team is not None:
                others.append(m[1])  # stays in the text: it may be a person
                continue
            team = m[1]
        elif word[:1] == "!" and (flag_word := fold(word).rstrip(".,;:")) in _PRIORITIES:
            priority = _PRIORITIES[flag_word]  # the last one wins
        elif flag := _DUE_FLAG.match(word):
            following = [t[0] for t in tokens[i + 1 : i + 6]]
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
    request = NewRequest(team, description, customer, priority, due, other_mentions=tuple(dict.fromkeys(others)))
    if due is not None:  # an explicit "para:" wins over anything the text says
        return request
    reading = read_due(description, today)
    return dataclasses.replace(request, due=reading.due, due_phrase=reading.phrase,
                               unread_due=reading.unread, unread_due_past=reading.past)


def _a_mistyped_command(tokens: list[re.Match[str]]) -> bool:
    """ "cancelr PED-15", "idoma"? A first word that is no command and is followed
    by a request or issue id, or by nothing, is a command we do not know: never a request."""
    first = fold(tokens[0][0]).lstrip("¿¡").rstrip(".,;:!?")
    if not first.isalpha():  # "@it …", "#ACME …", "!alta …", "para:…": parts of a request
        return False
    if len(tokens) == 1:
        return True
    second = keyword(tokens[1][0])
    return _RECORD_REF.fullmatch(second) is not None or (len(tokens) == 2 and second.isdecimal())


def _language(args: list[re.Match[str]]) -> Language | ParseError:
    if not args:
        return Language(None)
    code = _LANGUAGES.get(keyword(args[0][0]))
    return Language(code) if code else ParseError("bad_language", args[0][0])


def parse(text: str, today: date, _english: bool) -> Command | ParseError:
    """Parse `text` typed after /pedir."""
    tokens = list(TOKEN.finditer(text))
    if not tokens:
        return OpenForm()
    verb = tokens[0][0].strip(".,;:!?¡¿")
    key = _SUBCOMMAND_OF.get(keyword(verb))
    args = tokens[1:]
    mentioned = any(MENTION.fullmatch(t[0]) for t in tokens)
    if key is None:
        if len(tokens) == 1 and (request_id := record_id(_REQUEST_ID, tokens[0][0])) is not None:
            return View(request_id)  # "/pedir PED-12" alone shows it
        if _a_mistyped_command(tokens):
            return ParseError("unknown_command", tokens[0][0])
        return _new_request(text, today)
    # "ayuda con el excel @it" is a request that happens to start with "ayuda".
    if (key in ("mine", "help", "panel") and args) or (key == "queue" and len(args) > 1) or (
            key == "language" and (mentioned or (len(args) > 1 and keyword(args[0][0]) not in _LANGUAGES))):
        return _new_request(text, today)
    if key in ("mine", "help", "panel"):
        return {"mine": Mine, "help": Help, "panel": Panel}[key]()
    if key == "queue":
        team = group(BARE_TEAM, args[0][0]) if args else None
        return ParseError("bad_team", args[0][0]) if args and not team else Queue(team)
    if key == "language":
        return _language(args)
    if not args:
        return ParseError("missing_request_id", verb)
    request_id = record_id(_REQUEST_ID, args[0][0])
    if request_id is None:
        # "resolver la VPN @it" is a request to @it, not a mistyped id.
        if mentioned and not _ID_LIKE.match(keyword(args[0][0])):
            return _new_request(text, today)
        return ParseError("bad_request_id", args[0][0])
    cls, argument, text_required = _LIFECYCLE[key]
    fields: list[object] = [request_id]
    after = args[0].end()
    # What the user typed so far, for the example in a "missing" message.
    typed = f"{verb} {display_id(request_id)}"
    if argument is not None:
        if len(args) < 2:
            return ParseError(_MISSING_AFTER_ID[key], typed)
        read, code = argument
        if (value := read(args[1][0])) is None:
            return ParseError(code, args[1][0])
        fields.append(value)
        after = args[1].end()
        typed += f" {args[1][0]}"
    if text_required is not None:
        body = squeeze_spaces(text[after:])
        if len(body) > MAX_TEXT:
            return ParseError("too_long", str(len(body)))
        if not body and text_required:
            # Reassigning has its team by now: only the reason is missing.
            return ParseError("missing_reason" if key == "reassign" else _MISSING_AFTER_ID[key], typed)
        fields.append(body or None)
    return cls(*fields)
