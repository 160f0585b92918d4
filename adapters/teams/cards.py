"""The neutral model as Adaptive Cards, and card submissions back to plain values.

Pure functions on plain dicts, no botbuilder. TextBlocks and Facts render a
markdown subset, so every piece of user text goes through escape_markdown;
action titles, input labels and choice titles are plain text in the schema.
Teams rejects messages over ~28 KB, so body text gives way first and a card
that still does not fit raises ValueError (as in the Slack renderer, data a
handler reads back is never silently cut).

Pedir's texts are written as on Slack: one newline breaks a line, '*word*'
is bold. Teams joins lines that one newline separates and reads '**' as
bold, so text and facts are translated after escaping (_rich): a line break
becomes a blank line, leading spaces become no-break spaces (or the
indentation vanishes), and a Slack-style '*bold*' becomes '**bold**'. The
escaping stays whole: nothing a user types can become a link or a mention.

Buttons: Teams' host configuration caps every action container at
MAX_ACTIONS (`actions.maxActions`: the card's `actions`, each `ActionSet`,
the card inside each `Action.ShowCard`) and drops the rest without a word;
the official adaptivecards library reports the same as TooManyActions. So no
container here ever holds more. A scale (every button the same operation: a
1–5 rating, an eNPS 0–10) goes in rows, each answer in sight; other buttons
keep the first MAX_ACTIONS - 1 in place and the rest behind "Más…"/"More…".
"""

from __future__ import annotations

import json
import re

from bot.i18n import t
from bot.messages import Action, Fact, Form, FormField, Message

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # Input labels, isRequired and errorMessage need 1.3+
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
TEXT_MAX = 20_000  # body text, in escaped characters
SHORT_MAX = 2_000  # title, one fact, context, an error line
TITLE_MAX = 200  # action titles, input labels, choice titles, fact titles
LONG_TEXT_MAX = 3_000  # Input.Text maxLength for long_text, as on Slack
PARAGRAPHS_MAX = 40  # one TextBlock each; the rest joins the last one
# Measured on json.dumps' default ASCII output (non-ASCII costs 6 bytes), with
# room left for the activity envelope around the attachment.
CARD_BYTES_MAX = 26_000
ELLIPSIS = "…"
DATE_PLACEHOLDER = "AAAA-MM-DD, viernes, mañana…"
REQUIRED_MESSAGE = "Este campo es obligatorio."
RESERVED = ("context", "msteams")  # keys of the submit data, not fields
NBSP = "\u00a0"

_INLINE = re.compile(r"([\\*_\[\]()`~])")
# Block syntax only counts at the start of a line (after up to 3 spaces).
_LINE_START = re.compile(r"^([ \t]*)([#>+\-]|\d+(?=[.)]))", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Backslash-escape what Adaptive Card markdown would interpret.

    Inline markers anywhere (emphasis, links, code, strike), block markers
    (headings, quotes, bullets, numbered lists) at line start. '<' is left as
    is: '<at>' only becomes a mention with msteams.entities, which we never send.
    """
    text = _INLINE.sub(r"\\\1", text)  # the backslash itself in the same pass
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match) -> str:
    indent, marker = match.groups()
    # '12. x' is a list item; '12\. x' is not. Other markers take the '\' in front.
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


def _cut(text: str, limit: int) -> str:
    """Truncate to `limit` characters with '…', never leaving half an escape."""
    if len(text) <= limit:
        return text
    head = text[: max(limit - 1, 0)]
    if (len(head) - len(head.rstrip("\\"))) % 2:  # a lone '\' would escape the '…'
        head = head[:-1]
    return head + ELLIPSIS


def _md(text: str, limit: int = SHORT_MAX) -> str:
    return _cut(escape_markdown(text), limit)


# '\*bold\*' once escaped: whole escape pairs inside, no '*', no line break,
# no space just inside the stars, no word character or star just outside.
_BOLD = re.compile(r"(?<![\w*])\\\*(?=[^\s*])((?:[^*\n\\]|\\[^*\n])+?)(?<!\s)\\\*(?![\w*]|\\\*)")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def _rich(escaped: str) -> str:
    """Escaped text, with Pedir's Slack-style line breaks, indents and bold as Teams shows them."""
    text = _BOLD.sub(r"**\1**", escaped)
    text = _INDENT.sub(lambda m: NBSP * len(m[0].expandtabs(4)), text)
    return re.sub(r"[ \t]*\n", "\n\n", text.strip("\n"))


def _plain(text: str, fallback: str = "") -> str:
    return _cut(" ".join(text.split()), TITLE_MAX) or fallback


def _text_block(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _paragraphs(escaped: str) -> list[str]:
    parts = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", escaped) if p.strip()]
    if len(parts) > PARAGRAPHS_MAX:  # bounded JSON overhead, text kept
        parts = parts[: PARAGRAPHS_MAX - 1] + ["\n\n".join(parts[PARAGRAPHS_MAX - 1 :])]
    return parts


# The host configuration's actions.maxActions in Teams.
MAX_ACTIONS = 6


def _card(body: list[dict], actions: list[dict]) -> dict:
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    return card


def card_bytes(card: dict) -> int:
    return len(json.dumps(card).encode())


def _fits(card: dict) -> dict:
    if card_bytes(card) > CARD_BYTES_MAX:
        raise ValueError(f"Adaptive Card exceeds {CARD_BYTES_MAX} bytes even after truncating its text")
    return card


def _submit(action: Action) -> dict:
    submit = {
        "type": "Action.Submit",
        "title": _plain(action.label, action.id),
        "data": {"pedir_action": action.id, "value": action.value},
    }
    if action.style != "default":
        submit["style"] = {"primary": "positive", "danger": "destructive"}[action.style]
    return submit


def _message_card(message: Message, budget: int) -> dict:
    body = []
    title = " ".join((message.title or "").split())
    if title:
        body.append(_text_block(_md(title), weight="bolder", size="medium"))
    body += [_text_block(_rich(p)) for p in _paragraphs(_cut(escape_markdown(message.text), budget))]
    body += _fact_elements(message.fields)
    if (message.context or "").strip():
        body.append(_text_block(_rich(_md(message.context)), isSubtle=True, size="small"))
    if not body:  # Teams renders an empty card as nothing at all
        body.append(_text_block(ELLIPSIS))
    actions = [_submit(action) for action in message.actions]
    if len(actions) <= MAX_ACTIONS:
        return _card(body, actions)
    if len({action.id for action in message.actions}) == 1:
        # A scale: every answer stays in sight, in rows of their own.
        body += [{"type": "ActionSet", "actions": actions[i:i + MAX_ACTIONS]}
                 for i in range(0, len(actions), MAX_ACTIONS)]
        return _card(body, [])
    return _card(body, _overflowed(actions, t(message.locale, "teams.more")))


def _overflowed(actions: list[dict], more: str) -> list[dict]:
    """At most MAX_ACTIONS: the first ones, then "More…" opening the rest (again so, if need be)."""
    if len(actions) <= MAX_ACTIONS:
        return actions
    keep = MAX_ACTIONS - 1
    rest = {"type": "AdaptiveCard", "body": [], "actions": _overflowed(actions[keep:], more)}
    return actions[:keep] + [{"type": "Action.ShowCard", "title": more, "card": rest}]


def _fact_elements(facts: list[Fact]) -> list[dict]:
    """Short facts in FactSets; a wide one (a list, a paragraph) as its label in
    bold and its value under it, full width. In the order given."""
    elements: list[dict] = []
    run: list[dict] = []
    for fact in facts:
        if not (fact.label.strip() or fact.value.strip()):
            continue
        title = _cut(escape_markdown(_plain(fact.label)), TITLE_MAX)
        if not fact.wide:
            run.append({"title": title, "value": _rich(_md(fact.value))})
            continue
        if run:
            elements.append({"type": "FactSet", "facts": run})
            run = []
        if title:
            elements.append(_text_block(title, weight="bolder", spacing="medium"))
        elements.append(_text_block(_rich(_md(fact.value.strip("\n"))), spacing="small"))
    if run:
        elements.append({"type": "FactSet", "facts": run})
    return elements


def message_card(message: Message) -> dict:
    """Title, text, fields, context, then buttons; body text gives way to fit."""
    budget = min(len(escape_markdown(message.text)), TEXT_MAX)
    card = _message_card(message, budget)
    base = card_bytes(_message_card(message, 0))  # everything but the body text
    for _ in range(4):  # scale by bytes per character: 'ñ' costs 6 in JSON
        size = card_bytes(card)
        if size <= CARD_BYTES_MAX or budget == 0 or size <= base:
            break
        budget = max(int(budget * (CARD_BYTES_MAX - base) / (size - base)) - 64, 0)
        card = _message_card(message, budget)
    return _fits(card)


def home_card(message: Message) -> dict:
    """Teams has no App Home: a personal summary is an ordinary card."""
    return message_card(message)


def _input(field: FormField, error: str | None) -> dict:
    element: dict = {"id": field.name, "label": _plain(field.label, field.name), "isRequired": field.required}
    if field.required or error:  # shown by Teams' own client-side validation
        element["errorMessage"] = _plain(error or REQUIRED_MESSAGE)
    if field.kind == "choice":
        if not field.choices:
            raise ValueError(f"field {field.name!r} needs at least one choice")
        element |= {
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": _plain(label, value), "value": value} for value, label in field.choices],
        }
        if field.initial in {value for value, _ in field.choices}:
            element["value"] = field.initial
        return element
    element["type"] = "Input.Text"
    if field.kind == "long_text":
        element |= {"isMultiline": True, "maxLength": LONG_TEXT_MAX}
    if field.kind == "date":  # free text, so "viernes" or "mañana" work too
        element["placeholder"] = _plain(field.placeholder or DATE_PLACEHOLDER)
    if field.initial:
        element["value"] = _cut(field.initial, LONG_TEXT_MAX)
    return element


def form_card(form: Form, errors: dict[str, str] | None = None) -> dict:
    """One input per field (id = field name), its error in red right under it."""
    errors = errors or {}
    names = [field.name for field in form.fields]
    if not names or len(set(names)) != len(names):
        raise ValueError("a form needs fields with unique names")
    if any(not n or n in RESERVED or n.startswith("pedir_") for n in names):
        raise ValueError(f"field names must be non-empty, not {RESERVED} nor pedir_*: they share the data")
    body = [_text_block(_md(" ".join(form.title.split())), weight="bolder", size="medium")]
    for field in form.fields:
        body.append(_input(field, errors.get(field.name)))
        if errors.get(field.name):
            body.append(_text_block(_md(errors[field.name]), color="attention", size="small", spacing="none"))
    submit = {
        "type": "Action.Submit",
        "title": _plain(form.submit_label, "OK"),
        "data": {"pedir_form": form.id, "context": form.context},
    }
    return _fits(_card(body, [submit]))


def card_attachment(card: dict) -> dict:
    return {"contentType": CONTENT_TYPE, "content": card}


def _str(value: object) -> str:
    return "" if value is None else str(value)


def submitted(value: object) -> tuple[str, str, str, dict[str, str]] | None:
    """An Action.Submit payload -> ("action", id, value, {}) or ("form", id, context, fields).

    Accepts a message activity's `value` (data merged with the inputs) and an
    adaptiveCard/action invoke's `value` ({"action": {"data": ...}, "trigger": ...},
    inputs possibly beside it). None when the payload is not Pedir's.
    """
    if not isinstance(value, dict):
        return None
    data = value
    action = value.get("action")
    if isinstance(action, dict) and isinstance(action.get("data"), dict):
        beside = {k: v for k, v in value.items() if k not in ("action", "trigger")}
        data = {**beside, **action["data"]}  # our keys win over stray inputs
    if isinstance(data.get("pedir_action"), str):
        return ("action", data["pedir_action"], _str(data.get("value")), {})
    if isinstance(data.get("pedir_form"), str):
        fields = {
            k: _str(v) for k, v in data.items() if k not in RESERVED and not k.startswith("pedir_")
        }
        return ("form", data["pedir_form"], _str(data.get("context")), fields)
    return None
