"""Adaptive Cards from the neutral model, and submissions back to plain values."""

from __future__ import annotations

import json

import pytest

from bot.domains import REGISTRY
from adapters.teams.cards import (
    CARD_BYTES_MAX,
    CONTENT_TYPE,
    DATE_PLACEHOLDER,
    SCHEMA,
    TEXT_MAX,
    card_attachment,
    card_bytes,
    escape_markdown,
    form_card,
    home_card,
    message_card,
    submitted,
)
from bot.messages import Action, Fact, Form, FormField, Message

HOSTILE = "**bold** [link](http://evil) <at>x</at>"


def unescape(text: str) -> str:
    """What a CommonMark-style renderer shows for backslash escapes."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out)


def blocks(card: dict, kind: str) -> list[dict]:
    return [element for element in card["body"] if element["type"] == kind]


def full_message() -> Message:
    return Message(
        title="PED-12 · Factura duplicada",
        text="Primer párrafo.\n\nSegundo párrafo.",
        fields=[Fact(label="Estado", value="Abierto"), Fact(label="Equipo", value="Facturación")],
        context="SLA: primera respuesta antes de las 13:00",
        actions=[
            Action(id="request.claim", label="Asignarme", value="12", style="primary"),
            Action(id="request.close", label="Cerrar", value="12", style="danger"),
            Action(id="request.view", label="Ver", value="12"),
        ],
    )


def test_message_card_has_every_element_in_order():
    card = message_card(full_message())
    assert card["type"] == "AdaptiveCard" and card["$schema"] == SCHEMA and card["version"] == "1.5"
    title, first, second, facts, context = card["body"]
    assert title == {"type": "TextBlock", "text": "PED-12 · Factura duplicada", "wrap": True,
                     "weight": "bolder", "size": "medium"}
    assert (first["text"], second["text"]) == ("Primer párrafo.", "Segundo párrafo.")
    assert first["wrap"] and "weight" not in first
    assert facts == {"type": "FactSet", "facts": [{"title": "Estado", "value": "Abierto"},
                                                  {"title": "Equipo", "value": "Facturación"}]}
    assert context["isSubtle"] is True and context["size"] == "small" and context["wrap"]
    claim, close, view = card["actions"]
    assert claim == {"type": "Action.Submit", "title": "Asignarme", "style": "positive",
                     "data": {"pedir_action": "request.claim", "value": "12"}}
    assert close["style"] == "destructive" and "style" not in view


def test_minimal_message_and_home_card():
    card = message_card(Message(text="Hola"))
    assert [b["text"] for b in card["body"]] == ["Hola"] and "actions" not in card
    assert message_card(Message(text=""))["body"]  # never an empty card
    assert home_card(full_message()) == message_card(full_message())


def test_hostile_text_is_escaped_everywhere_but_reads_literally():
    message = Message(title=HOSTILE, text=HOSTILE, context=HOSTILE,
                      fields=[Fact(label=HOSTILE, value=HOSTILE)],
                      actions=[Action(id="a", label=HOSTILE)])
    card = message_card(message)
    texts = [b["text"] for b in blocks(card, "TextBlock")]
    fact = blocks(card, "FactSet")[0]["facts"][0]
    for text in texts + [fact["title"], fact["value"]]:
        assert "**" not in text and "](" not in text
        assert unescape(text) == HOSTILE
    assert "msteams" not in json.dumps(card)  # no entities: '<at>' stays inert text
    assert card["actions"][0]["title"] == HOSTILE  # plain text in the schema: not escaped


@pytest.mark.parametrize("raw, escaped", [
    ("# título", "\\# título"),
    ("> cita", "\\> cita"),
    ("- uno\n  + dos", "\\- uno\n  \\+ dos"),
    ("12. doce", "12\\. doce"),
    ("snake_case ~x~ `code` a\\b", "snake\\_case \\~x\\~ \\`code\\` a\\\\b"),
    ("PED-12 #3 a>b 1. x", "PED-12 #3 a>b 1. x"),  # mid-line markers mean nothing
])
def test_escape_markdown(raw, escaped):
    assert escape_markdown(raw) == escaped
    assert unescape(escaped) == raw


def test_long_text_is_truncated_and_the_card_fits():
    card = message_card(Message(text="x" * 50_000, actions=[Action(id="a", label="A")]))
    text = "".join(b["text"] for b in blocks(card, "TextBlock"))
    assert text.endswith("…") and len(text) == TEXT_MAX
    assert card_bytes(card) <= CARD_BYTES_MAX and card["actions"]


def test_text_that_escapes_or_encodes_large_still_fits():
    for text in ("*" * 30_000, "ñ" * 30_000, "a\n\n" * 10_000):
        card = message_card(Message(title="t", text=text, fields=[Fact(label="k", value="v")]))
        assert card_bytes(card) <= CARD_BYTES_MAX, text[:3]
        assert blocks(card, "FactSet")  # the body gives way, not the fields
        assert len(card["body"]) < 60  # paragraphs are bounded
        kept = sum(len(b["text"]) for b in blocks(card, "TextBlock"))
        assert kept > 3_000, text[:3]  # shrunk in proportion, not to nothing
    body = "".join(b["text"] for b in blocks(message_card(Message(text="*" * 30_000)), "TextBlock"))
    assert body.endswith("\\*…")  # never a lone '\' escaping the '…'


def test_oversized_data_raises_rather_than_cut():
    with pytest.raises(ValueError):
        message_card(Message(text="x", actions=[Action(id="a", label="A", value="v" * 40_000)]))


def form() -> Form:
    return Form(
        id="request.new", title="Nueva *petición*", submit_label="Enviar", context="team:7",
        fields=[
            FormField(name="summary", label="Resumen", required=True, initial="Factura"),
            FormField(name="details", label="Detalles", kind="long_text"),
            FormField(name="team", label="Equipo", kind="choice", required=True, initial="fact",
                      choices=[("fact", "Facturación"), ("it", "IT")]),
            FormField(name="due", label="Fecha límite", kind="date"),
        ],
    )


def test_form_card_inputs_per_kind():
    card = form_card(form())
    title, summary, details, team, due = card["body"]
    assert title["weight"] == "bolder" and title["text"] == "Nueva \\*petición\\*"
    assert summary == {"type": "Input.Text", "id": "summary", "label": "Resumen", "isRequired": True,
                       "errorMessage": summary["errorMessage"], "value": "Factura"}
    assert summary["errorMessage"]
    assert details["type"] == "Input.Text" and details["isMultiline"] is True
    assert details["maxLength"] == 3000 and details["isRequired"] is False and "value" not in details
    assert team["type"] == "Input.ChoiceSet" and team["style"] == "compact" and team["value"] == "fact"
    assert team["choices"] == [{"title": "Facturación", "value": "fact"}, {"title": "IT", "value": "it"}]
    assert due["type"] == "Input.Text" and due["placeholder"] == DATE_PLACEHOLDER
    (submit,) = card["actions"]
    assert submit == {"type": "Action.Submit", "title": "Enviar",
                      "data": {"pedir_form": "request.new", "context": "team:7"}}


def test_unknown_initial_choice_is_not_preselected():
    f = form()
    f.fields[2].initial = "gone"
    assert "value" not in form_card(f)["body"][3]


def test_errors_render_under_their_fields():
    card = form_card(form(), errors={"team": "Elige un equipo", "due": "No entiendo «_ayer_»"})
    kinds = [(b["type"], b.get("id") or b.get("text")) for b in card["body"]]
    assert kinds == [
        ("TextBlock", "Nueva \\*petición\\*"), ("Input.Text", "summary"), ("Input.Text", "details"),
        ("Input.ChoiceSet", "team"), ("TextBlock", "Elige un equipo"),
        ("Input.Text", "due"), ("TextBlock", "No entiendo «\\_ayer\\_»"),
    ]
    assert card["body"][4]["color"] == "attention" and card["body"][6]["color"] == "attention"
    assert card["body"][3]["errorMessage"] == "Elige un equipo"


@pytest.mark.parametrize("name", ["context", "msteams", "pedir_form", ""])
def test_reserved_field_names_are_refused(name):
    with pytest.raises(ValueError):
        form_card(Form(id="f", title="t", submit_label="ok", fields=[FormField(name=name, label="x")]))


def test_action_round_trip_message_shape():
    data = message_card(full_message())["actions"][0]["data"]
    assert submitted(data) == ("action", "request.claim", "12", {})
    message_shape = {"pedir_action": "request.claim", "value": "12"}
    assert submitted(message_shape) == ("action", "request.claim", "12", {})
    assert submitted({"pedir_action": "x"}) == ("action", "x", "", {})


@pytest.mark.parametrize("kind", ["Action.Execute", "Action.Submit"])
def test_action_round_trip_invoke_shape(kind):
    data = message_card(full_message())["actions"][1]["data"]
    value = {"action": {"type": kind, "data": data}, "trigger": "manual"}
    assert submitted(value) == ("action", "request.close", "12", {})


def test_form_round_trip_both_shapes():
    data = form_card(form())["actions"][0]["data"]
    # Teams merges the inputs into data; an empty optional input comes back as "".
    inputs = {"summary": "Factura duplicada", "details": "", "team": "it", "due": "viernes"}
    expected = ("form", "request.new", "team:7", inputs)
    assert submitted({**data, **inputs, "msteams": {"x": 1}}) == expected
    invoke = {"action": {"type": "Action.Execute", "data": {**data, **inputs}}, "trigger": "manual"}
    assert submitted(invoke) == expected
    # Inputs beside the action rather than inside its data are kept too.
    assert submitted({"action": {"type": "Action.Submit", "data": data}, **inputs}) == expected
    assert submitted({**data, "count": 3, "none": None})[3] == {"count": "3", "none": ""}


@pytest.mark.parametrize("value", [None, "text", {}, {"foo": "bar"}, {"action": {"type": "x"}},
                                   {"pedir_action": 3}, {"action": {"data": {"other": 1}}}])
def test_foreign_payloads_are_not_ours(value):
    assert submitted(value) is None


def test_cards_are_json_and_attach():
    for card in (message_card(full_message()), form_card(form(), errors={"due": "mal"})):
        assert json.loads(json.dumps(card)) == card
        assert card_attachment(card) == {"contentType": CONTENT_TYPE, "content": card}
    assert CONTENT_TYPE == "application/vnd.microsoft.card.adaptive"


# --- Pedir's Slack-style text as Teams shows it ---------------------------------


def test_one_newline_is_a_line_break_and_a_blank_line_a_new_block():
    card = message_card(Message(text="*Título*\nPrimera línea\nSegunda\n\nOtro párrafo"))
    first, second = blocks(card, "TextBlock")
    # Teams joins lines one '\n' apart: a line break needs a blank line.
    assert first["text"] == "**Título**\n\nPrimera línea\n\nSegunda"
    assert second["text"] == "Otro párrafo"


def test_slack_style_bold_becomes_teams_bold_and_nothing_else_does():
    cases = {
        "*Último estado* (Javier):": "**Último estado** \\(Javier\\):",
        "Señal: *se va* y *otra*": "Señal: **se va** y **otra**",
        "2 * 3 * 4": "2 \\* 3 \\* 4",  # spaces inside: not bold
        "a*b*c": "a\\*b\\*c",  # inside a word: not bold
        "**doble**": "\\*\\*doble\\*\\*",  # markdown's own bold is escaped, as before
        "*[link](http://evil)*": "**\\[link\\]\\(http://evil\\)**",  # bold, but never a link
        "*sin cerrar": "\\*sin cerrar",
    }
    for raw, expected in cases.items():
        [block] = blocks(message_card(Message(text=raw)), "TextBlock")
        assert block["text"] == expected, raw
        assert unescape(block["text"].replace("**", "*")) == raw


def test_indented_lines_keep_their_indent_as_no_break_spaces():
    [block] = blocks(message_card(Message(text="INC-1 · ACME\n    Último estado hace 1 h")), "TextBlock")
    assert block["text"] == "INC-1 · ACME\n\n" + "\u00a0" * 4 + "Último estado hace 1 h"


def test_lists_and_paragraphs_go_under_their_label_short_facts_stay_in_factsets():
    message = Message(text="", fields=[
        Fact(label="Gestor de cuenta", value="Elena Torres"),
        Fact(label="Incidencias abiertas (2)", value="INC-1 · ACME — no carga\n    Último estado: *renovando*\nINC-4"),
        Fact(label="Pedidos (0)", value="Ninguno."),
        Fact(label="Qué hacemos", value="x" * 150),
    ])
    card = message_card(message)
    kinds = [(b["type"], b.get("weight")) for b in card["body"]]
    assert kinds == [("FactSet", None), ("TextBlock", "bolder"), ("TextBlock", None), ("FactSet", None),
                     ("TextBlock", "bolder"), ("TextBlock", None)]
    assert card["body"][0]["facts"] == [{"title": "Gestor de cuenta", "value": "Elena Torres"}]
    assert card["body"][1]["text"] == "Incidencias abiertas \\(2\\)"
    assert card["body"][2]["text"] == ("INC-1 · ACME — no carga\n\n" + "\u00a0" * 4
                                       + "Último estado: **renovando**\n\nINC-4")
    assert card["body"][3]["facts"] == [{"title": "Pedidos \\(0\\)", "value": "Ninguno."}]


def test_a_message_without_text_sends_no_empty_text_block():
    # /cliente of a customer without notes.
    for text in ("", "  ", "\n\n"):
        card = message_card(Message(title="Globex · #globex", text=text,
                                    fields=[Fact(label="Gestor de cuenta", value="Elena")]))
        assert [b["type"] for b in card["body"]] == ["TextBlock", "FactSet"]
        assert all(b["text"].strip() for b in blocks(card, "TextBlock"))


# --- customer issues: the domain's own messages, at their largest -------------


def _all_text(card: dict) -> str:
    parts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    parts += [f["value"] for b in blocks(card, "FactSet") for f in b["facts"]]
    return "\n".join(parts)


def _actions(card: dict) -> list[str]:
    return [a["data"]["pedir_action"] for a in card.get("actions", [])]


def _inert(text: str) -> bool:
    """Every character that could start a link, code or emphasis is escaped."""
    return all(text[i - 1] == "\\" for i, char in enumerate(text) if char in "[]()`_~" and i)


def test_issue_card_and_status_card_fit_and_stay_inert():
    from tests.harness import issue_cards

    for message in (issue_cards.issue_card(), issue_cards.status_card(),
                    issue_cards.status_card(acked=issue_cards.ackers(300)), issue_cards.receipt(300)):
        card = message_card(message)
        assert card_bytes(card) <= CARD_BYTES_MAX
        assert _inert(_all_text(card)), _all_text(card)[:300]
        assert "**x**" not in _all_text(card)  # the user's own '**x**' stays literal
    card = message_card(issue_cards.issue_card())
    assert card["body"][0]["text"].startswith("INC-7 · ACME Logística S.L. · SEV2 — El portal")
    assert card["body"][1]["text"].startswith("**Último estado** \\(Javier Martín Gómez, ")
    assert _actions(card) == ["issue.post_status", "issue.close"]
    assert _actions(message_card(issue_cards.issue_card(owner_team=False))) == []

    card = message_card(issue_cards.status_card(title="El portal no carga"))
    assert card["body"][0]["text"] == "INC-7 · ACME Logística S.L.: nuevo estado"
    assert card["body"][1]["text"].startswith("**El portal no carga**\n\nCausa: certificado caducado.\n\n")
    [ack] = card["actions"]
    assert ack == {"type": "Action.Submit", "title": "Entendido", "style": "positive",
                   "data": {"pedir_action": "status.ack", "value": ack["data"]["value"]}}
    assert REGISTRY.context("status.ack", ack["data"]["value"]).id == 42
    acked = message_card(issue_cards.status_card(you_acked=True))
    assert "actions" not in acked and "✓ Lo has confirmado" in _all_text(acked)


def test_risk_card_and_customer_view():
    from tests.harness import issue_cards

    card = message_card(issue_cards.risk_card())
    text = card["body"][1]["text"]
    assert text.startswith("Señal: **quiere darse de baja**\n\n\\> …dicen que quieren cancelar el contrato")
    assert text.endswith("Acción propuesta: **llama hoy al cliente**")
    assert _actions(card) == ["risk.accept", "risk.dismiss", "risk.done"]
    assert _actions(message_card(issue_cards.risk_card("done"))) == []

    card = message_card(issue_cards.customer_view(issues=3))
    assert [b["type"] for b in card["body"]] == ["TextBlock", "FactSet", "TextBlock", "TextBlock", "FactSet"]
    listing = card["body"][3]["text"]
    assert listing.count("\n\n") >= 6 and "INC-3" in listing
    big = message_card(issue_cards.customer_view(issues=60, notes="Notas " * 3000))
    assert card_bytes(big) <= CARD_BYTES_MAX
