"""The neutral model as Block Kit, and modal submissions back to plain values.

Pure functions, no network. Limits are Slack's documented ones
(docs.slack.dev/reference/block-kit). One rule throughout: text a person reads
is truncated with '…'; data a handler reads back (button values, metadata,
option values, ids) is never cut, it raises ValueError, because a silently
shortened value would be a wrong value.
"""

from __future__ import annotations

import re

from bot.messages import Action, Fact, Form, FormField, Message

TEXT_MAX = 3000  # any text object in a section or context
FIELD_MAX = 2000  # one entry of section.fields
FIELDS_PER_SECTION = 10
BUTTONS_PER_ACTIONS = 25
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ID_MAX = 255  # action_id, block_id, callback_id
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100  # modals and the Home tab
VIEW_LABEL_MAX = 24  # modal title, submit and close
METADATA_MAX = 3000
INPUT_LABEL_MAX = 2000
OPTIONS_MAX = 100
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
PLACEHOLDER_MAX = 150
ELLIPSIS = "…"
DATE_PLACEHOLDER = "AAAA-MM-DD, viernes, mañana…"


def escape(text: str) -> str:
    """Slack's three mrkdwn escapes, '&' first so entities are not re-escaped.

    After this no user text can form <!channel>, <@U…> or <url|label>.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    """Truncate plain text (not escaped) to `limit` characters with '…'."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _entity_safe(escaped: str, end: int) -> int:
    """Move a cut point back so it never splits '&amp;', '&lt;' or '&gt;'."""
    amp = escaped.rfind("&", max(0, end - 4), end)
    if amp != -1 and escaped.find(";", amp, end) == -1:
        return amp
    return end


def _mrkdwn(text: str, limit: int) -> str:
    """Escape, then truncate to `limit` without leaving half an entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return escaped[: _entity_safe(escaped, limit - 1)] + ELLIPSIS


def _chunks(escaped: str, limit: int) -> list[str]:
    """Split escaped text into pieces <= limit, at a line or word break if one is near."""
    pieces: list[str] = []
    while len(escaped) > limit:
        window = escaped[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:  # one huge word: hard cut, still outside any entity
            cut = _entity_safe(escaped, limit)
        pieces.append(escaped[:cut])
        escaped = escaped[cut:].lstrip("\n ")
    pieces.append(escaped)
    return [piece for piece in pieces if piece.strip()]  # Slack rejects blank text


_QUOTE = re.compile(r"^&gt;(?= )", re.MULTILINE)


def _quotes(escaped: str) -> str:
    """'> ' at a line's start quotes the line, as when typed in Slack.

    Safe unescaped: with every '<' escaped, a '>' cannot close a control
    sequence (<!channel>, <@U…>, <url|label>), it can only start a quote.
    """
    return _QUOTE.sub(">", escaped)


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _fact(label: str, value: str, limit: int = FIELD_MAX) -> str:
    # Label first and short, so a long value never pushes the label out.
    head = _mrkdwn(" ".join(label.split()), FIELD_MAX // 4)
    head = f"*{head}*\n" if head else ""
    return head + _mrkdwn(value, limit - len(head))


def _fact_blocks(facts: list[Fact]) -> list[dict]:
    """Short facts side by side (10 to a section), each wide one a full-width
    section of its own (3000 characters, not 2000), in the order given."""
    blocks: list[dict] = []
    run: list[str] = []

    def flush() -> None:
        blocks.extend(
            {"type": "section", "fields": [{"type": "mrkdwn", "text": fact} for fact in run[i : i + FIELDS_PER_SECTION]]}
            for i in range(0, len(run), FIELDS_PER_SECTION)
        )
        run.clear()

    for fact in facts:
        if not (fact.label.strip() or fact.value.strip()):
            continue
        if fact.wide:  # two columns of section.fields make a list unreadable
            flush()
            blocks.append(_section(_fact(fact.label, fact.value.strip("\n"), TEXT_MAX)))
        else:
            run.append(_fact(fact.label, fact.value))
    flush()
    return blocks


def _button(action: Action, index: int) -> dict:
    if ":" in action.id:  # the ':index' suffix must stay unambiguous
        raise ValueError(f"action id {action.id!r} must not contain ':'")
    action_id = f"{action.id}:{index}"
    if len(action_id) > ID_MAX:
        raise ValueError(f"action id {action.id!r} is too long for Slack")
    if len(action.value) > BUTTON_VALUE_MAX:
        raise ValueError(f"value of action {action.id!r} exceeds {BUTTON_VALUE_MAX} characters")
    button = {
        "type": "button",
        "text": _plain(_cut(action.label, BUTTON_TEXT_MAX) or action.id),
        "action_id": action_id,
    }
    if action.value:  # Slack rejects an empty value; absent means ""
        button["value"] = action.value
    if action.style != "default":
        button["style"] = action.style
    return button


def message_blocks(message: Message, *, max_blocks: int = MESSAGE_BLOCKS_MAX) -> tuple[str, list[dict]]:
    """(fallback text for notifications, Block Kit blocks) for one message.

    Order as on the console: title, text, fields, context, actions. Past
    `max_blocks` (50 in a message, 100 in a view) the body text gives way
    first, so fields and buttons survive.
    """
    title = " ".join((message.title or "").split())  # '*' bold must not span lines
    head = [_section(f"*{_mrkdwn(title, TEXT_MAX - 2)}*")] if title else []
    # Text past what max_blocks sections could ever show is dropped before the split.
    body = [_section(piece) for piece in _chunks(_quotes(escape(message.text[: max_blocks * TEXT_MAX])), TEXT_MAX)]
    fields = _fact_blocks(message.fields)
    small = [_context(_mrkdwn(message.context, TEXT_MAX))] if (message.context or "").strip() else []
    buttons = [_button(action, index) for index, action in enumerate(message.actions)]
    actions = [
        {"type": "actions", "elements": buttons[i : i + BUTTONS_PER_ACTIONS]}
        for i in range(0, len(buttons), BUTTONS_PER_ACTIONS)
    ]
    room = max_blocks - len(head) - len(fields) - len(small) - len(actions)
    if len(body) > room:
        body = body[: max(room - 1, 0)] + [_context(ELLIPSIS)]
    blocks = (head + body + fields + small + actions)[:max_blocks]  # last resort
    fallback = _mrkdwn("\n".join(part for part in (title, message.text) if part), TEXT_MAX)
    return fallback, blocks


def parse_action_id(action_id: object) -> str:
    """'request.rate:3' -> 'request.rate' (the neutral id; ids never hold ':');
    "" for an action id that is not text, which no button has."""
    if not isinstance(action_id, str):
        return ""
    neutral, sep, index = action_id.rpartition(":")
    return neutral if sep and index.isascii() and index.isdigit() else action_id


def _option(value: str, label: str) -> dict:
    if not 1 <= len(value) <= OPTION_VALUE_MAX:
        raise ValueError(f"choice value {value!r} must be 1..{OPTION_VALUE_MAX} characters")
    return {"text": _plain(_cut(label, OPTION_TEXT_MAX) or value), "value": value}


def _element(field: FormField, date_placeholder: str) -> dict:
    if field.kind == "choice":
        if not 1 <= len(field.choices) <= OPTIONS_MAX:
            raise ValueError(f"field {field.name!r} needs 1..{OPTIONS_MAX} choices")
        options = [_option(value, label) for value, label in field.choices]
        element = {"type": "static_select", "action_id": field.name, "options": options}
        chosen = [option for option in options if option["value"] == field.initial]
        if chosen:  # Slack requires an exact copy of one of the options
            element["initial_option"] = dict(chosen[0])
        return element
    element = {"type": "plain_text_input", "action_id": field.name}
    if field.kind == "long_text":
        element |= {"multiline": True, "max_length": TEXT_MAX}
    if field.kind == "date":  # free text, so "viernes" or "mañana" work too
        element["placeholder"] = _plain(_cut(field.placeholder or date_placeholder, PLACEHOLDER_MAX))
    if field.initial:
        element["initial_value"] = _cut(field.initial, TEXT_MAX)
    return element


def modal_view(
    form: Form,
    *,
    private_metadata: str,
    callback_id: str = "pedir_form",
    close_label: str = "Cancelar",
    date_placeholder: str = DATE_PLACEHOLDER,
) -> dict:
    """A views.open-ready modal: one input block per field, keyed by field name."""
    if len(private_metadata) > METADATA_MAX:
        raise ValueError(f"private_metadata exceeds {METADATA_MAX} characters")
    if not 1 <= len(callback_id) <= ID_MAX:
        raise ValueError(f"callback_id must be 1..{ID_MAX} characters")
    if not 1 <= len(form.fields) <= VIEW_BLOCKS_MAX:
        raise ValueError(f"a modal holds 1..{VIEW_BLOCKS_MAX} fields")
    names = [field.name for field in form.fields]
    if len(set(names)) != len(names) or not all(1 <= len(name) <= ID_MAX for name in names):
        raise ValueError("field names must be unique and 1..255 characters (they are block ids)")
    blocks = [
        {
            "type": "input",
            "block_id": field.name,
            "label": _plain(_cut(field.label, INPUT_LABEL_MAX) or field.name),
            "optional": not field.required,
            "element": _element(field, date_placeholder),
        }
        for field in form.fields
    ]
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(_cut(form.title, VIEW_LABEL_MAX)),
        "submit": _plain(_cut(form.submit_label, VIEW_LABEL_MAX)),
        "close": _plain(_cut(close_label, VIEW_LABEL_MAX)),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _state_value(state: dict) -> str:
    kind = state.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = state.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
    elif kind == "datepicker":
        value = state.get("selected_date")
    else:
        value = state.get("value")  # plain_text_input: None when left empty
    return value if isinstance(value, str) else ""


def form_values(view_state_values: object) -> dict[str, str]:
    """view["state"]["values"] of a view_submission -> {field name: value}.

    Blocks and elements that are not objects are skipped, and a value that is
    not text reads as empty: the form's own checks then say what is missing.
    """
    if not isinstance(view_state_values, dict):
        return {}
    return {
        block_id: _state_value(state)
        for block_id, by_action in view_state_values.items() if isinstance(by_action, dict)
        for state in by_action.values() if isinstance(state, dict)
    }


def modal_errors(errors: dict[str, str]) -> dict:
    """The ack() body that shows `errors` under their inputs (keys: block ids)."""
    return {"response_action": "errors", "errors": dict(errors)}


def home_view(message: Message) -> dict:
    """A views.publish Home tab; views allow 100 blocks, and need at least one."""
    _, blocks = message_blocks(message, max_blocks=VIEW_BLOCKS_MAX)
    return {"type": "home", "blocks": blocks or [_context(ELLIPSIS)]}


def ephemeral(message: Message) -> dict:
    """A respond() body seen only by the user who acted."""
    text, blocks = message_blocks(message)
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
