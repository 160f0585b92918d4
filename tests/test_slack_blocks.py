"""Block Kit rendering: escaping, Slack's limits, modals and their submissions.

Every rendered block and view is also parsed by slack_sdk's own models, whose
validators encode Slack's documented limits, so a shape Slack would reject
fails here rather than in a workspace.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domains import REGISTRY
from adapters.slack.blocks import (
    DATE_PLACEHOLDER,
    ephemeral,
    escape,
    form_values,
    home_view,
    message_blocks,
    modal_errors,
    modal_view,
    parse_action_id,
)
from bot.messages import Action, Fact, Form, FormField, Message


def assert_slack_valid(blocks: list[dict]) -> None:
    for block in blocks:
        assert Block.parse(block).to_dict() == block  # validates, and no unknown keys dropped


def all_mrkdwn(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if block["type"] == "section":
            texts += [block["text"]["text"]] if "text" in block else [f["text"] for f in block["fields"]]
        elif block["type"] == "context":
            texts += [element["text"] for element in block["elements"]]
    return texts


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- escaping ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<!channel> urgente", "&lt;!channel&gt; urgente"),
        ("<!here>", "&lt;!here&gt;"),
        ("hola <@U1>", "hola &lt;@U1&gt;"),
        ("<http://x|y>", "&lt;http://x|y&gt;"),
        ("&lt;", "&amp;lt;"),  # an existing entity stays literal text
        ("R&D > ventas", "R&amp;D &gt; ventas"),
        ("*negrita* _cursiva_ `código` ñ 🙂", "*negrita* _cursiva_ `código` ñ 🙂"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


@given(st.text())
def test_escape_leaves_no_angle_brackets_and_is_reversible(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert unescape(escaped) == text


def test_user_text_is_escaped_everywhere_in_a_message_but_not_in_plain_text() -> None:
    hostile = "<!channel> <http://evil|banco>"
    message = Message(
        title=hostile,
        text=hostile,
        fields=[Fact(label=hostile, value=hostile)],
        context=hostile,
        actions=[Action(id="a", label="<b> & co")],
    )
    text, blocks = message_blocks(message)
    assert_slack_valid(blocks)
    for mrkdwn in [text, *all_mrkdwn(blocks)]:
        assert "<" not in mrkdwn and "&lt;!channel&gt;" in mrkdwn
    assert blocks[-1]["elements"][0]["text"]["text"] == "<b> & co"  # plain_text is not parsed


# --- message blocks and limits ----------------------------------------------


def test_small_message_shape() -> None:
    message = Message(
        title="PED-42 · Facturación",
        text="Corregir la factura de ACME",
        fields=[Fact(label="Prioridad", value="alta")],
        context="Primera respuesta antes de las 12:00",
        actions=[
            Action(id="request.take", label="Tomar", value="42", style="primary"),
            Action(id="request.reject", label="Rechazar", value="42", style="danger"),
            Action(id="request.comment", label="Comentar", value="42"),
        ],
    )
    text, blocks = message_blocks(message)
    assert_slack_valid(blocks)
    assert text == "PED-42 · Facturación\nCorregir la factura de ACME"
    assert [b["type"] for b in blocks] == ["section", "section", "section", "context", "actions"]
    assert blocks[0]["text"] == {"type": "mrkdwn", "text": "*PED-42 · Facturación*"}
    assert blocks[2]["fields"] == [{"type": "mrkdwn", "text": "*Prioridad*\nalta"}]
    take, reject, comment = blocks[4]["elements"]
    assert take == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Tomar", "emoji": True},
        "action_id": "request.take:0",
        "value": "42",
        "style": "primary",
    }
    assert reject["style"] == "danger"
    assert "style" not in comment


def test_long_text_is_split_into_sections_of_at_most_3000() -> None:
    paragraph = "palabra " * 500 + "\n"  # 4001 chars per paragraph
    text = paragraph * 3
    _, blocks = message_blocks(Message(text=text))
    assert_slack_valid(blocks)
    pieces = [b["text"]["text"] for b in blocks]
    assert len(pieces) >= 5 and all(len(piece) <= 3000 for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())  # nothing lost


def test_hard_split_never_cuts_an_entity_in_half() -> None:
    _, blocks = message_blocks(Message(text="&<>" * 4000))  # escapes to 39000 chars, no spaces
    assert_slack_valid(blocks)
    pieces = [b["text"]["text"] for b in blocks]
    assert all(len(piece) <= 3000 for piece in pieces)
    for piece in pieces:
        assert piece.count("&") == piece.count(";")  # every entity whole
    assert unescape("".join(pieces)) == "&<>" * 4000


def test_more_than_ten_fields_spill_into_more_sections() -> None:
    facts = [Fact(label=f"Campo {i}", value=str(i)) for i in range(23)]
    _, blocks = message_blocks(Message(text="x", fields=facts))
    assert_slack_valid(blocks)
    assert [len(b["fields"]) for b in blocks if "fields" in b] == [10, 10, 3]


def test_field_text_is_truncated_to_2000() -> None:
    label = "Etiqueta <larga> " * 200  # 3400 characters, all in the label
    _, blocks = message_blocks(Message(text="x", fields=[Fact(label=label, value="<sí>")]))
    assert_slack_valid(blocks)
    (field,) = blocks[1]["fields"]
    assert len(field["text"]) <= 2000
    assert field["text"].startswith("*Etiqueta &lt;larga&gt;") and field["text"].endswith("…*\n&lt;sí&gt;")


def test_a_long_value_goes_full_width_truncated_to_3000() -> None:
    _, blocks = message_blocks(Message(text="x", fields=[Fact(label="Detalle", value="<" * 5000)]))
    assert_slack_valid(blocks)
    wide = blocks[1]["text"]["text"]
    assert len(wide) <= 3000
    assert wide.startswith("*Detalle*\n&lt;") and wide.endswith("&lt;…")


def test_short_facts_side_by_side_lists_and_paragraphs_full_width_in_order() -> None:
    # /cliente's shape: a name, a one-liner, then lists of issues and requests.
    issues = ("INC-1 · ACME · SEV2 · Abierta · abierta hace 3 h — El portal no carga\n"
              "    Último estado hace 1 h: renovando el certificado\n"
              "INC-4 · ACME · SEV3 · En vigilancia · abierta hace 2 d — Facturas duplicadas")
    message = Message(text="", title="ACME · #acme", fields=[
        Fact(label="Gestor de cuenta", value="Elena Torres"),
        Fact(label="Riesgo", value="Sin señales de riesgo en 30 días."),
        Fact(label="Incidencias abiertas (2)", value=issues),
        Fact(label="Pedidos (0)", value="Ninguno."),
        Fact(label="Qué hacemos", value="Atendemos las incidencias de los clientes con nuestro producto y las "
                                        "llevamos hasta su resolución, sin excepción."),
    ])
    _, blocks = message_blocks(message)
    assert_slack_valid(blocks)
    assert [sorted(b) for b in blocks] == [["text", "type"], ["fields", "type"], ["text", "type"],
                                           ["fields", "type"], ["text", "type"]]
    assert [f["text"] for f in blocks[1]["fields"]] == [
        "*Gestor de cuenta*\nElena Torres", "*Riesgo*\nSin señales de riesgo en 30 días."]
    assert blocks[2]["text"]["text"] == "*Incidencias abiertas (2)*\n" + issues  # every line kept, as is
    assert blocks[3]["fields"] == [{"type": "mrkdwn", "text": "*Pedidos (0)*\nNinguno."}]
    assert blocks[4]["text"]["text"].startswith("*Qué hacemos*\nAtendemos")


def test_empty_text_sends_no_section_for_it() -> None:
    # /cliente of a customer without notes: title and facts, and no blank section.
    for text in ("", "   ", "\n\n"):
        fallback, blocks = message_blocks(Message(text=text, title="Globex · #globex",
                                                  fields=[Fact(label="Gestor de cuenta", value="Elena")]))
        assert_slack_valid(blocks)
        assert [b.get("text", {}).get("text") for b in blocks] == ["*Globex · #globex*", None]
        assert fallback.strip() == "Globex · #globex"


def test_a_quote_at_a_line_start_stays_a_quote_and_nothing_else_is_unescaped() -> None:
    # The risk card quotes the customer's words: "Señal: …\n> excerpt\n…".
    text = "Señal: *se va*\n> quieren cancelar <!channel> & más\nno es > cita\n>sin espacio"
    _, blocks = message_blocks(Message(text=text))
    assert_slack_valid(blocks)
    body = blocks[0]["text"]["text"]
    assert body == ("Señal: *se va*\n> quieren cancelar &lt;!channel&gt; &amp; más\n"
                    "no es &gt; cita\n&gt;sin espacio")
    assert "<" not in body


def test_more_than_25_actions_spill_into_more_blocks_with_unique_ids() -> None:
    actions = [Action(id="pulse.answer", label=str(i), value=str(i)) for i in range(60)]
    _, blocks = message_blocks(Message(text="¿Cómo valoras el servicio?", actions=actions))
    assert_slack_valid(blocks)
    action_blocks = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in action_blocks] == [25, 25, 10]
    ids = [e["action_id"] for b in action_blocks for e in b["elements"]]
    assert len(set(ids)) == 60
    assert {parse_action_id(action_id) for action_id in ids} == {"pulse.answer"}


def test_button_label_is_truncated_to_75() -> None:
    _, blocks = message_blocks(Message(text="x", actions=[Action(id="a", label="é" * 100)]))
    assert_slack_valid(blocks)
    label = blocks[-1]["elements"][0]["text"]["text"]
    assert len(label) == 75 and label.endswith("…")


def test_button_data_is_never_silently_cut() -> None:
    with pytest.raises(ValueError, match="value"):
        message_blocks(Message(text="x", actions=[Action(id="a", label="A", value="v" * 2001)]))
    with pytest.raises(ValueError, match="':'"):
        message_blocks(Message(text="x", actions=[Action(id="a:b", label="A")]))


def test_empty_value_is_omitted() -> None:
    _, blocks = message_blocks(Message(text="x", actions=[Action(id="menu.help", label="Ayuda")]))
    assert "value" not in blocks[-1]["elements"][0]


def test_huge_message_stays_under_50_blocks_and_keeps_its_buttons() -> None:
    message = Message(
        title="Informe",
        text="bla " * 100_000,
        fields=[Fact(label="a", value="b")],
        actions=[Action(id="report.ack", label="Visto")],
    )
    text, blocks = message_blocks(message)
    assert_slack_valid(blocks)
    assert len(blocks) == 50
    assert blocks[-1]["type"] == "actions" and blocks[-2]["type"] == "section" and "fields" in blocks[-2]
    assert blocks[-3] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "…"}]}
    assert len(text) <= 3000 and text.endswith("…")


def test_title_with_newlines_stays_on_one_bold_line() -> None:
    _, blocks = message_blocks(Message(title="  PED-1\n<urgente> ", text=""))
    assert blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": "*PED-1 &lt;urgente&gt;*"}}]


@pytest.mark.parametrize(
    ("action_id", "neutral"),
    [("request.rate:3", "request.rate"), ("request.rate:0", "request.rate"), ("menu", "menu"), ("a.b:x", "a.b:x")],
)
def test_parse_action_id(action_id: str, neutral: str) -> None:
    assert parse_action_id(action_id) == neutral


def test_action_id_round_trip() -> None:
    actions = [Action(id=f"request.{verb}", label=verb) for verb in ("take", "rate", "reopen", "rate")]
    _, blocks = message_blocks(Message(text="x", actions=actions))
    rendered = [e["action_id"] for e in blocks[-1]["elements"]]
    assert rendered == ["request.take:0", "request.rate:1", "request.reopen:2", "request.rate:3"]
    assert [parse_action_id(a) for a in rendered] == [a.id for a in actions]


# --- modals -----------------------------------------------------------------


def request_form(**overrides) -> Form:
    fields = [
        FormField(name="team", label="Equipo", kind="choice", required=True,
                  choices=[("sistemas", "Sistemas"), ("facturacion", "Facturación")], initial="facturacion"),
        FormField(name="summary", label="Resumen", kind="text", required=True, initial="Factura ACME"),
        FormField(name="description", label="Descripción", kind="long_text", initial="Línea 1\nLínea 2"),
        FormField(name="due", label="Para cuándo", kind="date", initial="viernes"),
    ]
    defaults = {"id": "request.new", "title": "Nueva petición", "submit_label": "Enviar", "fields": fields}
    return Form(**defaults | overrides)


def test_modal_for_every_field_kind_with_initial_values() -> None:
    view = modal_view(request_form(), private_metadata='{"form":"request.new"}')
    View(**view).to_dict()  # Slack's limits on the view and every block
    assert_slack_valid(view["blocks"])
    assert view["type"] == "modal" and view["callback_id"] == "pedir_form"
    assert view["title"]["text"] == "Nueva petición"
    assert view["submit"]["text"] == "Enviar" and view["close"]["text"] == "Cancelar"
    assert view["private_metadata"] == '{"form":"request.new"}'
    team, summary, description, due = view["blocks"]
    for block, name in zip(view["blocks"], ["team", "summary", "description", "due"]):
        assert block["type"] == "input" and block["block_id"] == block["element"]["action_id"] == name
    assert (team["optional"], summary["optional"], description["optional"]) == (False, False, True)
    assert team["element"]["type"] == "static_select"
    assert team["element"]["options"][1] == {
        "text": {"type": "plain_text", "text": "Facturación", "emoji": True},
        "value": "facturacion",
    }
    assert team["element"]["initial_option"] == team["element"]["options"][1]
    assert summary["element"] == {"type": "plain_text_input", "action_id": "summary", "initial_value": "Factura ACME"}
    assert description["element"]["multiline"] is True and description["element"]["max_length"] == 3000
    assert description["element"]["initial_value"] == "Línea 1\nLínea 2"
    assert due["element"]["type"] == "plain_text_input"  # so "viernes" can be typed
    assert due["element"]["placeholder"]["text"] == DATE_PLACEHOLDER
    assert due["element"]["initial_value"] == "viernes"


def test_modal_without_initial_values_has_none() -> None:
    form = request_form()
    for field in form.fields:
        field.initial = None
    form.fields[0].initial = "no-such-team"
    blocks = modal_view(form, private_metadata="")["blocks"]
    assert "initial_option" not in blocks[0]["element"]
    assert all("initial_value" not in b["element"] for b in blocks[1:])


def test_modal_labels_are_truncated_and_close_label_is_configurable() -> None:
    form = request_form(title="Solicitud de corrección de factura", submit_label="Enviar la petición ahora")
    form.fields[0].choices = [("x", "y" * 100)]
    view = modal_view(form, private_metadata="", close_label="Cancel", callback_id="request_new")
    View(**view).to_dict()
    assert_slack_valid(view["blocks"])
    assert view["title"]["text"] == "Solicitud de corrección…" and len(view["title"]["text"]) == 24
    assert len(view["submit"]["text"]) <= 24
    assert view["close"]["text"] == "Cancel" and view["callback_id"] == "request_new"
    assert len(view["blocks"][0]["element"]["options"][0]["text"]["text"]) == 75


def test_modal_rejects_what_slack_would_reject() -> None:
    with pytest.raises(ValueError, match="private_metadata"):
        modal_view(request_form(), private_metadata="x" * 3001)
    modal_view(request_form(), private_metadata="x" * 3000)
    too_many = request_form()
    too_many.fields[0].choices = [(str(i), str(i)) for i in range(101)]
    with pytest.raises(ValueError, match="choices"):
        modal_view(too_many, private_metadata="")
    long_value = request_form()
    long_value.fields[0].choices = [("v" * 151, "V")]
    with pytest.raises(ValueError, match="choice value"):
        modal_view(long_value, private_metadata="")
    duplicate = request_form()
    duplicate.fields[1].name = "team"
    with pytest.raises(ValueError, match="unique"):
        modal_view(duplicate, private_metadata="")


# --- submissions ------------------------------------------------------------

# The relevant part of a view_submission payload, shaped as Slack documents it.
VIEW_SUBMISSION = {
    "type": "view_submission",
    "team": {"id": "T0001", "domain": "acme"},
    "user": {"id": "U0001", "username": "ana", "team_id": "T0001"},
    "view": {
        "id": "V0001",
        "type": "modal",
        "callback_id": "pedir_form",
        "private_metadata": '{"form":"request.new"}',
        "state": {
            "values": {
                "team": {
                    "team": {
                        "type": "static_select",
                        "selected_option": {
                            "text": {"type": "plain_text", "text": "Facturación", "emoji": True},
                            "value": "facturacion",
                        },
                    }
                },
                "summary": {"summary": {"type": "plain_text_input", "value": "Factura ACME"}},
                "description": {"description": {"type": "plain_text_input", "value": "Importe <mal> & IVA"}},
                "due": {"due": {"type": "plain_text_input", "value": None}},
                "priority": {"priority": {"type": "static_select", "selected_option": None}},
                "deadline": {"deadline": {"type": "datepicker", "selected_date": "2025-05-09"}},
                "start": {"start": {"type": "datepicker", "selected_date": None}},
            }
        },
    },
}


def test_form_values_reads_every_input_type() -> None:
    assert form_values(VIEW_SUBMISSION["view"]["state"]["values"]) == {
        "team": "facturacion",
        "summary": "Factura ACME",
        "description": "Importe <mal> & IVA",  # raw, as typed: escaping is for output only
        "due": "",
        "priority": "",
        "deadline": "2025-05-09",
        "start": "",
    }


def test_modal_errors() -> None:
    body = modal_errors({"team": "Elige un equipo", "due": "No entiendo «el finde»"})
    assert body == {"response_action": "errors", "errors": {"team": "Elige un equipo", "due": "No entiendo «el finde»"}}


# --- home tab and ephemeral -------------------------------------------------


def test_home_view_reuses_message_blocks_and_allows_100() -> None:
    message = Message(title="Tus peticiones", text="linea\n" * 60_000, actions=[Action(id="home.new", label="Nueva")])
    view = home_view(message)
    View(**view).to_dict()
    assert_slack_valid(view["blocks"])
    assert view["type"] == "home" and "submit" not in view
    assert len(view["blocks"]) == 100 and view["blocks"][-1]["type"] == "actions"
    small = Message(title="Hola", text="Nada pendiente")
    assert home_view(small) == {"type": "home", "blocks": message_blocks(small)[1]}


def test_home_view_of_an_empty_message_is_still_valid() -> None:
    View(**home_view(Message(text=""))).to_dict()


def test_ephemeral() -> None:
    message = Message(text="No conozco @factura. ¿Quisiste decir @facturacion?")
    text, blocks = message_blocks(message)
    assert ephemeral(message) == {"response_type": "ephemeral", "text": text, "blocks": blocks}


# --- customer issues: the domain's own messages, at their largest -------------


def _buttons(blocks: list[dict]) -> list[str]:
    return [parse_action_id(e["action_id"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_issue_card_with_a_300_character_title_and_a_3000_character_status() -> None:
    from tests.harness import issue_cards

    text, blocks = message_blocks(issue_cards.issue_card())
    assert_slack_valid(blocks)
    assert all(len(t) <= 3000 for t in all_mrkdwn(blocks)) and len(text) <= 3000
    for mrkdwn in all_mrkdwn(blocks):
        assert "<" not in mrkdwn  # the title's and the status's <!channel> stay inert
    assert blocks[0]["text"]["text"].startswith("*INC-7 · ACME Logística S.L. · SEV2 — El portal")
    # Six short facts side by side; the buttons survive.
    [facts] = [b for b in blocks if "fields" in b]
    assert len(facts["fields"]) == 6
    assert _buttons(blocks) == ["issue.post_status", "issue.close"]
    # The whole status is there, across sections: nothing lost but markup.
    body = " ".join(unescape(t) for t in all_mrkdwn(blocks))
    assert " ".join(issue_cards.LONG_STATUS.split()[-5:]) in " ".join(body.split())
    _, blocks = message_blocks(issue_cards.issue_card(owner_team=False))
    assert _buttons(blocks) == []


def test_status_card_its_acknowledged_copies_and_the_receipt() -> None:
    from tests.harness import issue_cards

    _, blocks = message_blocks(issue_cards.status_card())
    assert_slack_valid(blocks)
    assert blocks[0]["text"]["text"] == "*INC-7 · ACME Logística S.L.: nuevo estado*"
    assert _buttons(blocks) == ["status.ack"]
    [ack] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert (ack["text"]["text"], REGISTRY.context("status.ack", ack["value"]).id, ack["style"]) == ("Entendido", 42, "primary")

    _, blocks = message_blocks(issue_cards.status_card(you_acked=True))
    assert_slack_valid(blocks)
    assert _buttons(blocks) == [] and "✓ Lo has confirmado" in blocks[-1]["elements"][0]["text"]

    # A big team channel: 300 names do not fit in a context, which is cut, not rejected.
    _, blocks = message_blocks(issue_cards.status_card(acked=issue_cards.ackers(300)))
    assert_slack_valid(blocks)
    context = blocks[-2]["elements"][0]["text"]
    assert len(context) <= 3000 and context.endswith("…") and "Entendido (300)" in context
    assert _buttons(blocks) == ["status.ack"]

    _, blocks = message_blocks(issue_cards.receipt(acked=0))
    assert_slack_valid(blocks)
    assert blocks[-1]["elements"][0]["text"] == "Enviada a 120 chats · Nadie lo ha confirmado aún"
    _, blocks = message_blocks(issue_cards.receipt(acked=300))
    assert_slack_valid(blocks)


def test_risk_card_quotes_the_customer_and_keeps_its_decisions() -> None:
    from tests.harness import issue_cards

    _, blocks = message_blocks(issue_cards.risk_card())
    assert_slack_valid(blocks)
    body = blocks[1]["text"]["text"]
    assert body.startswith("Señal: *quiere darse de baja*\n> …dicen que quieren cancelar el contrato &lt;!channel&gt;")
    assert "<" not in body
    assert _buttons(blocks) == ["risk.accept", "risk.dismiss", "risk.done"]
    _, blocks = message_blocks(issue_cards.risk_card("accepted"))
    assert _buttons(blocks) == ["risk.dismiss", "risk.done"]
    assert "aceptada por Elena Torres" in blocks[-2]["elements"][0]["text"]


def test_customer_view_lists_go_full_width_and_no_notes_means_no_body() -> None:
    from tests.harness import issue_cards

    fallback, blocks = message_blocks(issue_cards.customer_view(issues=3))
    assert_slack_valid(blocks)
    assert fallback == "ACME Logística S.L. · #acme · gold"  # no notes: the title alone
    kinds = ["fields" if "fields" in b else "text" for b in blocks]
    assert kinds == ["text", "fields", "text", "fields"]  # title, 2 short, the issues, 1 short
    issues = blocks[2]["text"]["text"]
    assert issues.startswith("*Incidencias abiertas (3)*\nINC-1 · ACME")
    assert issues.count("\n") >= 6 and "INC-3" in issues  # a line each, their status under them

    # Dozens of open issues: the list is cut at Slack's 3000, the view stays valid.
    _, blocks = message_blocks(issue_cards.customer_view(issues=60, notes="Notas\n\n" * 3))
    assert_slack_valid(blocks)
    [listing] = [b for b in blocks if "text" in b and b["text"]["text"].startswith("*Incidencias")]
    assert len(listing["text"]["text"]) <= 3000 and listing["text"]["text"].endswith("…")
    _, home = message_blocks(issue_cards.customer_view(issues=60), max_blocks=100)
    assert_slack_valid(home)
