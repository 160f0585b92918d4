"""A requester withdraws their own request: by command, by the button on their card,
in the console, on Slack and on Teams. The team's card shows it withdrawn, the
team hears it, nothing is counted against the team's promise and no reminder follows.

Runs on SQLite and PostgreSQL. PED-1 is Ana's (RRHH) request to Facturación
(lead Marta, member Sara), made on Wednesday 2026-11-25 at 10:00 in Madrid.
"""

from __future__ import annotations

import re

from sqlmodel import select

from adapters.console.channel import ConsoleChannel
from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from bot.requests import service
from storage.models import Request, RequestEvent
from tests.harness.slack_env import ANA, DM_ANA, FACTURACION, MARTA, Cards, new_request, slack  # noqa: F401
from tests.harness.slack_env import through_modal
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.teams_env import ANA_T, SISTEMAS_CHANNEL, fake_connector_running, teams  # noqa: F401
from tests.harness.waiting import eventually
from tests.nudge_support import tick
from tests.test_lifecycle import channel, deliver, field, load, ped1, to  # noqa: F401  (fixtures)

ANA_, SARA, MARTA_ = "ana.garcia", "sara.ruiz", "marta.lopez"
TEAM = "team:facturacion"


# ------------------------------------------------------------------ by command


async def test_the_requester_withdraws_with_a_reason_and_both_cards_close(ped1, app, folk, sessions, clock, deliver):
    reply = await app.command(folk[ANA_], "/pedir", "cancelar PED-1 Sara lo arregló por teléfono")
    assert not reply.refused
    assert reply.message.text == "PED-1 retirado. Facturación ya lo sabe."
    request = await load(sessions)
    assert (request.status, request.resolved_at) == ("withdrawn", clock.now())
    assert (request.first_response_due_at, request.resolution_due_at, request.resolution_met) == (None, None, None)
    async with sessions() as session:
        [event] = (await session.exec(select(RequestEvent).where(RequestEvent.kind == "withdrawn"))).all()
    assert (event.actor_id, event.text) == (folk[ANA_].id, "Sara lo arregló por teléfono")

    calls = await deliver()
    [team_card] = [c for c in to(calls, TEAM) if c.kind == "update"]
    assert field(team_card.message, "Estado") == "Retirado"
    assert team_card.message.actions == []  # nothing left to take, resolve or reject
    assert team_card.message.context == "Retirado por el solicitante"
    [notice] = [c for c in to(calls, TEAM) if c.kind == "send"]
    assert notice.thread_id is not None  # in the thread of the team's card
    assert notice.message.text == "Ana García Ruiz ha retirado PED-1: Sara lo arregló por teléfono"
    [own_card] = to(calls, ANA_)
    assert own_card.kind == "update" and own_card.message.actions == []
    assert field(own_card.message, "Estado") == "Retirado"


async def test_english_words_and_an_english_requester(app, folk, deliver):
    james = folk["james.whitaker"]
    await app.command(james, "/pedir", "@facturacion fix the #ACME invoice")
    await deliver()
    reply = await app.command(james, "/pedir", "withdraw PED-1")
    assert reply.message.text == "PED-1 withdrawn. Facturación has been told."
    calls = await deliver()
    [card] = [c for c in to(calls, "james.whitaker") if c.kind == "update"]
    assert field(card.message, "Status") == "Withdrawn" and card.message.context == "Withdrawn by the requester"
    [notice] = [c for c in to(calls, TEAM) if c.kind == "send" and c.thread_id]
    assert notice.message.text == "James Whitaker ha retirado PED-1: ya no hace falta."  # the team reads Spanish


async def test_only_the_requester_withdraws_and_only_an_open_request(ped1, app, folk, sessions):
    reply = await app.command(folk[SARA], "/pedir", "cancelar PED-1")
    assert reply.refused and reply.message.text == "Solo quien pidió PED-1 puede hacer eso."
    assert (await load(sessions)).status == "new"
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    reply = await app.command(folk[ANA_], "/pedir", "cancelar PED-1")
    assert reply.refused and reply.message.text == "PED-1 ya está cerrado: no hace falta retirarlo."
    assert (await load(sessions)).status == "resolved"


async def test_a_withdrawn_request_is_closed_to_everyone(ped1, app, folk):
    await app.command(folk[ANA_], "/pedir", "retirar PED-1")
    again = await app.command(folk[ANA_], "/pedir", "cancelar PED-1")
    assert again.refused and again.message.text == "PED-1 ya está retirado."
    for who, text in ((SARA, "tomar PED-1"), (SARA, "resolver PED-1"), (ANA_, "comentar PED-1 ¿seguro?")):
        reply = await app.command(folk[who], "/pedir", text)
        assert reply.refused and reply.message.text.startswith("PED-1 ya está cerrado"), text
    reopened = await app.command(folk[ANA_], "/pedir", "reabrir PED-1")
    assert reopened.refused
    assert "PED-1" not in (await app.command(folk[MARTA_], "/pedir", "cola")).message.text
    assert (await app.command(folk[ANA_], "/pedir", "mis")).message.text == "No tienes pedidos abiertos."


async def test_a_withdrawn_request_counts_neither_way_in_the_teams_record(ped1, app, folk, sessions, clock):
    clock.advance(days=3)  # long past its promise: a resolution now would be "missed"
    await app.command(folk[ANA_], "/pedir", "cancelar PED-1")
    async with sessions() as session:
        request = await load(sessions)
        record = await service.sla_record(session, request.team_id, clock.now())
    assert (record.closed, record.resolution_met) == (0, 0)
    card = await app.command(folk[ANA_], "/equipo", "@facturacion")
    assert next(f.value for f in card.message.fields if f.label == "Últimos 30 días") == "Aún no hay pedidos cerrados."


async def test_no_reminder_follows_a_withdrawn_request(ped1, app, folk, channel):
    await app.command(folk[ANA_], "/pedir", "cancelar PED-1")
    await tick(app, channel)
    app.clock.advance(days=2)  # past both promises and their warnings
    calls = await tick(app, channel)
    assert [c for c in calls if "PED-1" in (c.message.text or "")] == []


# ------------------------------------------------------------------ by the button on the card


async def test_the_button_on_the_requesters_card_asks_why_then_withdraws(ped1, app, folk, sessions, channel, deliver):
    [card] = to(channel.calls, ANA_)
    button = next(a for a in card.message.actions if a.id == "request.withdraw")
    assert button.label == "Retirar"
    form = (await app.action(folk[ANA_], button.id, button.value)).form
    assert form.title == "Retirar PED-1"
    [reason] = form.fields
    assert (reason.name, reason.label, reason.required) == ("reason", "Motivo", False)
    assert (await load(sessions)).status == "new"  # the form is the confirmation: nothing yet

    # Someone else holding the button (a forwarded card) is refused at the form.
    other = await app.submit(folk[SARA], form.id, form.context, {"reason": ""})
    assert other.refused and (await load(sessions)).status == "new"
    reply = await app.submit(folk[ANA_], form.id, form.context, {"reason": ""})
    assert reply.message.text == "PED-1 retirado. Facturación ya lo sabe."
    [notice] = [c for c in to(await deliver(), TEAM) if c.kind == "send"]
    assert notice.message.text == "Ana García Ruiz ha retirado PED-1: ya no hace falta."


def test_the_withdraw_button_is_declared_with_its_form():
    assert REGISTRY.context("request.withdraw", '{"v":1,"a":"request.withdraw","k":"request","id":3}').id == 3
    assert REGISTRY.context("request.withdraw", '{"v":1,"a":"request.withdraw","k":"request","id":3}', form=True).id == 3


# ------------------------------------------------------------------ in the console


async def test_withdrawn_from_the_console_with_the_card_button(folk, sessions, clock):  # noqa: ANN001
    pedir = Pedir(sessions, Settings(), ShiftedClock(clock))
    out: list[str] = []

    def withdraw_button() -> str:
        """':N' for the newest "Retirar" the console numbered: Ana's card."""
        return ":" + re.findall(r"\[(\d+)\] Retirar", "\n".join(out))[-1]

    script = iter(["/pedir @facturacion corregir la factura de #ACME", withdraw_button, "ya no hace falta, lo hizo Sara"])

    def read(prompt: str) -> str | None:
        line = next(script, None)
        line = line() if callable(line) else line
        out.append(f"{prompt}{line}")
        return line

    board = ActionBoard()
    session = ConsoleSession(pedir, Dispatcher(sessions, [ConsoleChannel(out.append, board)], pedir.clock),
                             pedir.clock, folk[ANA_], board, out.append, read)
    await session.run()
    text = "\n".join(out)
    assert re.search(r"DM Ana García Ruiz .*\n(  ┃ .*\n)+  ┗ \[\d+\] Comentar  \[\d+\] Retirar", text)
    after = text.split(withdraw_button(), 1)[1]
    assert "← Retirar PED-1" in after
    assert "┃ PED-1 retirado. Facturación ya lo sabe." in after
    assert "┃ PED-1 · Facturación\n  ┃ Estado: Retirado" in after
    assert "┃ Ana García Ruiz ha retirado PED-1: ya no hace falta, lo hizo Sara" in after


# ------------------------------------------------------------------ on Slack


async def test_withdrawn_on_slack_through_the_button_on_her_dm_card(slack):  # noqa: F811
    cards: Cards = await new_request(slack)
    ack = await through_modal(slack, ANA, DM_ANA, cards.requester, "request.withdraw", {"reason": "Duplicado de PED-0"})
    assert ack == ""  # the modal closes
    async with slack.sessions() as session:
        assert (await session.exec(select(Request))).one().status == "withdrawn"
    team_card = next(m for m in slack.fake.messages_in(FACTURACION) if m["ts"] == cards.team)
    shown = str(team_card["blocks"])
    assert "Retirado" in shown and "request.claim" not in shown and "request.resolve" not in shown
    assert [m["text"] for m in slack.thread(FACTURACION, cards.team)] == [
        "Ana García Ruiz ha retirado PED-1: Duplicado de PED-0"]
    dm_card = next(m for m in slack.fake.messages_in(DM_ANA) if m["ts"] == cards.requester)
    assert "request.withdraw" not in str(dm_card["blocks"]) and "Retirado" in str(dm_card["blocks"])
    # Marta's stale button on the team card is answered, and changes nothing.
    status, _ = await slack.click(MARTA, "request.claim:0", '{"v":1,"a":"request.claim","k":"request","id":1}')
    assert status == 200
    async with slack.sessions() as session:
        assert (await session.exec(select(Request))).one().owner_id is None


# ------------------------------------------------------------------ on Teams


def card_of(call) -> dict:  # noqa: ANN001
    """The Adaptive Card a Bot Connector call carried ({} for plain text)."""
    attachments = call.json.get("attachments") or []
    return attachments[0]["content"] if attachments else {}


async def test_withdrawn_on_teams_through_the_card_button_and_its_form(teams):  # noqa: F811
    await teams.install_in_channel()
    await teams.post(teams.personal(ANA_T, "pedir @sistemas la VPN se corta cada hora"))

    def sent_to_ana(text: str) -> list:
        return [c for c in teams.connector.calls_to("send")
                if c.conversation_id == f"a:personal-{ANA_T[0]}" and text in str(card_of(c))]

    async def her_card():  # noqa: ANN202
        return sent_to_ana("Tu pedido PED-1") or None

    [card] = await eventually(her_card, "Ana's card", timeout=10)
    [withdraw] = [a for a in card_of(card)["actions"] if a["title"] == "Retirar"]
    status, _ = await teams.post(teams.click(ANA_T, withdraw["data"]))
    assert status in (200, 201)
    [form] = sent_to_ana("Retirar PED-1")  # answered in the turn
    [submit] = card_of(form)["actions"]
    assert submit["data"]["pedir_form"] == "request.withdraw"
    status, _ = await teams.post(teams.click(ANA_T, {**submit["data"], "reason": "Ya funciona"}))
    assert status in (200, 201)
    assert sent_to_ana("PED-1 retirado. Sistemas ya lo sabe.")

    async def channel_card_withdrawn():  # noqa: ANN202
        return [c for c in teams.connector.calls_to("update")
                if c.conversation_id.startswith(SISTEMAS_CHANNEL) and "Retirado" in str(card_of(c))] or None

    [update] = await eventually(channel_card_withdrawn, "the channel's card withdrawn", timeout=10)
    assert card_of(update).get("actions", []) == []  # nothing left for Sistemas to press
    async with teams.sessions() as session:
        assert (await session.exec(select(Request))).one().status == "withdrawn"
