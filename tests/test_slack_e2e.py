"""Pedir on Slack, end to end: signed requests in, Web API calls out.

Commands and their ephemeral answers, the new-request modal, turning a message
into a request, the Home tab and the health check. A request's lifecycle is in
test_slack_lifecycle.py; retries, signatures, delivery failures and escaping in
test_slack_wire_safety.py.
"""

from __future__ import annotations

import json

from sqlmodel import select

from adapters.slack.listeners import CONVERT_ACTION, SLACK_MESSAGE
from bot.interaction import decode
from storage.models import ProcessedDelivery, Request
from tests.harness import slack_wire as wire
from tests.harness.slack_env import (  # noqa: F401  (slack: fixture)
    ANA,
    FACTURACION,
    JAMES,
    MARTA,
    new_request,
    slack,
    unique,
)
from tests.harness.slack_standin import fake_slack  # noqa: F401

SOME_CHANNEL = "C04GENERAL"


async def test_a_request_made_and_claimed_on_slack(slack):  # noqa: F811
    answer = await slack.answer(ANA, "@facturacion corregir la factura de #ACME !alta")
    assert answer["response_type"] == "ephemeral" and "Creado PED-1 para Facturación" in answer["text"]
    posts = await slack.fake.wait_for_calls("chat.postMessage", 2)
    channels = {call.args["channel"] for call in posts}
    assert FACTURACION in channels
    assert posts[0].token == "xoxb-e2e-token-not-for-logs"

    status, _ = await slack.click(MARTA, "request.claim:0", "1")
    assert status == 200
    updates = await slack.fake.wait_for_calls("chat.update", 2)
    assert any("Marta López" in str(call.args["blocks"]) for call in updates)
    async with slack.sessions() as session:
        request = (await session.exec(select(Request))).one()
    assert request.status == "in_progress"


async def requests_in(slack) -> list[Request]:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return list((await session.exec(select(Request))).all())


async def answer_to(slack, user: str, text: str, command: str = "/pedir") -> dict:  # noqa: ANN001, F811
    """The one ephemeral answer a command gets, in its ack."""
    return await slack.answer(user, text, command=command)


def shown(answer: dict) -> str:
    return str(answer["blocks"])


# ----------------------------------------------------------- commands, answered privately


async def test_equipos_lists_the_directory_in_spanish(slack):  # noqa: F811
    answer = await answer_to(slack, ANA, "", command="/equipos")
    assert "Equipos (6)" in shown(answer)
    assert "@facturacion · Facturación" in shown(answer) and "@sistemas · Sistemas" in shown(answer)


async def test_equipo_shows_a_teams_card_and_its_promise(slack):  # noqa: F811
    answer = await answer_to(slack, ANA, "@facturacion", command="/equipo")
    assert "@facturacion · Facturación" in shown(answer)
    for label in ("Nuestros clientes internos", "Pídenos", "Responsable del equipo", "Nuestro compromiso"):
        assert label in shown(answer)
    assert "Marta López Fernández" in shown(answer)  # the lead


async def test_english_speakers_get_english_answers(slack):  # noqa: F811
    # James's Slack locale is en-GB.
    assert "Teams (6)" in shown(await answer_to(slack, JAMES, "", command="/equipos"))
    card = shown(await answer_to(slack, JAMES, "@facturacion", command="/equipo"))
    assert "Our internal customers" in card and "Team lead" in card
    assert "requests between teams" in shown(await answer_to(slack, JAMES, "ayuda"))
    assert "You have no open requests." in shown(await answer_to(slack, JAMES, "mis"))


async def test_pedir_ayuda_explains_every_command(slack):  # noqa: F811
    answer = shown(await answer_to(slack, ANA, "ayuda"))
    assert "pedidos entre equipos" in answer
    for usage in ("/pedir mis", "/pedir cola", "/pedir ver PED-12", "/equipos"):
        assert usage in answer


async def test_pedir_mis_lists_my_open_requests(slack):  # noqa: F811
    await new_request(slack)
    answer = shown(await answer_to(slack, ANA, "mis"))
    assert "Tus pedidos abiertos (1)" in answer
    assert "PED-1 · Facturación · Nuevo" in answer


async def test_pedir_cola_lists_my_teams_queue(slack):  # noqa: F811
    await new_request(slack)
    answer = shown(await answer_to(slack, MARTA, "cola"))
    assert "Cola de Facturación (1)" in answer and "PED-1" in answer


async def test_pedir_cola_of_another_team_is_refused_with_what_to_do(slack):  # noqa: F811
    answer = shown(await answer_to(slack, JAMES, "cola @facturacion"))
    assert "Only members of Facturación see its queue" in answer and "/equipo @facturacion" in answer


async def test_pedir_ver_shows_the_request_and_its_timeline(slack):  # noqa: F811
    await new_request(slack)
    answer = shown(await answer_to(slack, ANA, "ver PED-1"))
    assert "PED-1 · Facturación" in answer and "Historial" in answer and "creó el pedido" in answer


# ------------------------------------------------------------------ the new-request modal


async def empty_form(slack, user: str = ANA) -> dict:  # noqa: ANN001, F811
    """/pedir with no text: the request form, as views.open received it."""
    status, _ = await slack.command(user, "", trigger="trig-form")
    assert status == 200
    [opened] = await slack.fake.wait_for_calls("views.open")
    assert opened.args["trigger_id"] == "trig-form"
    return opened.args["view"]


async def test_pedir_without_text_opens_the_new_request_modal(slack):  # noqa: F811
    view = await empty_form(slack)
    assert view["title"]["text"] == "Nuevo pedido"
    assert [block["block_id"] for block in view["blocks"]] == ["team", "description", "customer", "priority", "due"]
    teams = [option["value"] for option in view["blocks"][0]["element"]["options"]]
    assert "facturacion" in teams and "sistemas" in teams
    await slack.listeners_idle()
    assert slack.fake.responses == []  # the modal is the answer


async def test_modal_with_errors_answers_field_errors_and_stores_nothing(slack):  # noqa: F811
    view = await empty_form(slack)
    status, ack = await slack.submit(ANA, view, {"team": "facturacion", "description": "", "due": "2020-01-10"})
    assert status == 200
    body = json.loads(ack)
    assert body["response_action"] == "errors"
    assert body["errors"]["description"].startswith("Falta la descripción")
    assert "2020-01-10 ya ha pasado" in body["errors"]["due"]
    await slack.settled()
    assert await requests_in(slack) == []
    assert slack.fake.calls_to("chat.postMessage") == []
    async with slack.sessions() as session:
        keys = [row.key for row in (await session.exec(select(ProcessedDelivery))).all()]
    assert not [key for key in keys if key.startswith("slack:view:")]  # not even the delivery key


async def test_valid_modal_submission_creates_the_request(slack):  # noqa: F811
    view = await empty_form(slack)
    status, ack = await slack.submit(ANA, view, {
        "team": "facturacion", "description": "Abono para ACME", "customer": "#ACME", "priority": "urgent",
        "due": "2099-12-31",
    })
    assert (status, ack) == (200, "")
    await slack.settled()
    [request] = await requests_in(slack)
    assert (request.description, request.customer, request.priority, str(request.due_date)) == (
        "Abono para ACME", "ACME", "urgent", "2099-12-31")
    [card] = slack.top_level(FACTURACION)
    assert "Abono para ACME" in str(card["blocks"])
    # With no response_url after a modal, the confirmation goes to the requester's DM.
    confirmation = [c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == ANA]
    assert "Creado PED-1 para Facturación" in confirmation[0].args["text"]


async def test_the_same_modal_fixed_after_errors_creates_the_request(slack):  # noqa: F811
    # Slack keeps the view (same id, same hash) open after an errors answer.
    view = await empty_form(slack)
    _, ack = await slack.submit(ANA, view, {"team": "facturacion", "description": ""})
    assert "response_action" in ack
    status, ack = await slack.submit(ANA, view, {"team": "facturacion", "description": "Abono para ACME"})
    assert (status, ack) == (200, "")
    await slack.settled()
    [request] = await requests_in(slack)
    assert request.description == "Abono para ACME"


# --------------------------------------------------------- a message turned into a request


def prefilled_description(view: dict) -> str:
    [block] = [b for b in view["blocks"] if b["block_id"] == "description"]
    return block["element"]["initial_value"]


async def test_message_shortcut_opens_the_modal_prefilled_with_text_and_permalink(slack):  # noqa: F811
    message = {"ts": "1700000300.000100", "text": "La factura de ACME sale con el IVA mal", "user": MARTA}
    payload = wire.message_action(user_id=ANA, callback_id="convert_to_request", message=message,
                                  channel_id=SOME_CHANNEL, trigger_id="trig-short")
    status, _ = await slack.post(wire.interactivity_body(payload))
    assert status == 200
    [opened] = await slack.fake.wait_for_calls("views.open")
    assert opened.args["trigger_id"] == "trig-short"
    description = prefilled_description(opened.args["view"])
    assert description.startswith("La factura de ACME sale con el IVA mal\n\n")
    assert description.endswith(f"https://pedir-test.slack.com/archives/{SOME_CHANNEL}/p1700000300000100")


async def ticket_reaction(slack, ts: str = "1700000400.000100") -> dict:  # noqa: ANN001, F811
    """Ana reacts with :ticket: to Marta's message; the ephemeral prompt it gets."""
    slack.fake.add_message(SOME_CHANNEL, ts, "No me llega el certificado de retenciones", MARTA)
    event = {"type": "reaction_added", "user": ANA, "reaction": "ticket", "item_user": MARTA,
             "item": {"type": "message", "channel": SOME_CHANNEL, "ts": ts}, "event_ts": "1700000401.000100"}
    status, _ = await slack.event(event, event_id=unique("Ev"))
    assert status == 200
    [prompt] = await slack.fake.wait_for_calls("chat.postEphemeral")
    return prompt.args


async def test_ticket_reaction_posts_a_private_convert_prompt(slack):  # noqa: F811
    prompt = await ticket_reaction(slack)
    assert (prompt["channel"], prompt["user"]) == (SOME_CHANNEL, ANA)
    [button] = [e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "Convertir en pedido"
    context = decode(button["value"], CONVERT_ACTION, SLACK_MESSAGE)
    assert (context.id, context.arg) == (SOME_CHANNEL, "1700000400.000100")


async def test_convert_prompt_button_opens_the_prefilled_modal(slack):  # noqa: F811
    prompt = await ticket_reaction(slack)
    [button] = [e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"]]
    status, _ = await slack.click(ANA, button["action_id"], button["value"], channel_id=SOME_CHANNEL,
                                  is_ephemeral=True, trigger="trig-convert", hook="prompt")
    assert status == 200
    [opened] = await slack.fake.wait_for_calls("views.open")
    assert opened.args["trigger_id"] == "trig-convert"
    description = prefilled_description(opened.args["view"])
    assert description.startswith("No me llega el certificado de retenciones\n\n")
    assert f"/archives/{SOME_CHANNEL}/p1700000400000100" in description
    [gone] = await slack.fake.wait_for_responses(1)
    assert gone.get("delete_original") is True  # the prompt goes away


async def test_other_reactions_do_nothing(slack):  # noqa: F811
    event = {"type": "reaction_added", "user": ANA, "reaction": "tada",
             "item": {"type": "message", "channel": SOME_CHANNEL, "ts": "1700000400.000100"}}
    status, _ = await slack.event(event, event_id=unique("Ev"))
    assert status == 200
    await slack.listeners_idle()
    assert slack.fake.calls_to("chat.postEphemeral") == []
    async with slack.sessions() as session:
        assert (await session.exec(select(ProcessedDelivery))).all() == []


# ------------------------------------------------------------------ the Home tab


def homes_of(slack, user: str) -> list[str]:  # noqa: ANN001, F811
    return [str(c.args["view"]["blocks"]) for c in slack.fake.calls_to("views.publish") if c.args["user_id"] == user]


async def test_app_home_opened_publishes_my_requests_and_my_teams_queue(slack):  # noqa: F811
    await new_request(slack)
    await slack.settled(homes=True)
    before = len(homes_of(slack, MARTA))
    status, _ = await slack.event(wire.app_home_opened(user_id=MARTA, channel_id="D04MLOPEZ1"), event_id=unique("Ev"))
    assert status == 200
    await slack.listeners_idle()
    [home] = homes_of(slack, MARTA)[before:]
    assert "Tus pedidos abiertos (0)" in home
    assert "Cola de Facturación (1)" in home and "PED-1 · Facturación · Nuevo" in home
    assert "request.open_form" in home  # a button to make a new request


async def test_a_state_change_republishes_the_home_through_the_outbox(slack):  # noqa: F811
    cards = await new_request(slack)
    await slack.settled(homes=True)
    await slack.event(wire.app_home_opened(user_id=ANA, channel_id="D012AB3CD"), event_id=unique("Ev"))
    await slack.listeners_idle()
    before = len(homes_of(slack, ANA))
    await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    await slack.settled(homes=True)
    latest = homes_of(slack, ANA)[before:]
    assert latest, "the claim did not refresh Ana's home"
    assert "PED-1 · Facturación · En curso · Marta López Fernández" in latest[-1]


async def test_home_new_request_button_opens_the_modal(slack):  # noqa: F811
    home = {"id": "VHOME1", "type": "home", "callback_id": "", "private_metadata": ""}
    payload = wire.block_actions(user_id=ANA, action_id="request.open_form:0", value=None, view=home,
                                 trigger_id="trig-home")
    status, _ = await slack.post(wire.interactivity_body(payload))
    assert status == 200
    [opened] = await slack.fake.wait_for_calls("views.open")
    assert opened.args["trigger_id"] == "trig-home"
    assert opened.args["view"]["title"]["text"] == "Nuevo pedido"


# ------------------------------------------------------------------ health


async def test_healthz_reports_the_database_ok(slack):  # noqa: F811
    status, body = await slack.get("/healthz")
    assert (status, body) == (200, {"ok": True, "database": "ok"})
