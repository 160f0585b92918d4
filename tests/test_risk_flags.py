"""Churn-risk flags: what raises one, who hears it, who decides on it.

Runs on SQLite and PostgreSQL. Elena is ACME's and Globex's account manager; Soporte
(lead Javier) owns issues; Facturación (lead Marta, member Sara) takes requests. The
detector's phrases are covered by tests/test_churn.py; here, only how flags are kept.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app import Pedir
from bot.config import Settings
from bot.customers import risk
from bot.domains import REGISTRY
from storage.models import Competitor, Customer, Person, RiskFlag
from tests.harness.support import slow_down
from tests.harness.issue_support import (
    ANA, ELENA, JAVIER, LUCIA, MARTA, SARA, action_ids, customer, last_outbox_id, outbox,
    recipients, rows, snapshot, team,
)

BUTTONS = ["risk.accept", "risk.dismiss", "risk.done"]


async def flags(sessions) -> list[RiskFlag]:  # noqa: ANN001
    return await rows(sessions, RiskFlag)


@pytest.fixture
async def inc1(app, folk) -> None:  # noqa: ANN001
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")


@pytest.fixture
async def ped1(app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[ANA], "/pedir", "@facturacion revisar la factura de #acme")
    assert reply.message.text.startswith("Creado PED-1")


# ---------------------------------------------------------------- what raises a flag


async def test_a_status_update_flags_the_customer(inc1, app, folk, sessions, clock):
    mark = await last_outbox_id(sessions)
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente nos dice que se van a la competencia.")
    [flag] = await flags(sessions)
    assert (flag.customer_id, flag.signal, flag.phrase) == ((await customer(sessions, "acme")).id, "competitor",
                                                           "se van a la competencia")
    assert (flag.source_kind, flag.source_ref, flag.author_id) == ("status", "INC-1", folk[JAVIER].id)
    assert (flag.action, flag.state, flag.created_at) == ("call_today", "open", clock.now())
    assert "se van a la competencia" in flag.excerpt
    [card] = await outbox(sessions, after=mark, key=f"risk:{flag.id}")
    assert await recipients(sessions, [card]) == [ELENA]
    assert card.payload["title"] == "⚠ Posible riesgo con ACME Logística S.L."
    assert "Señal: *mira a la competencia*" in card.payload["text"]
    assert "Acción propuesta: *llama hoy al cliente*" in card.payload["text"]
    assert card.payload["context"].startswith("INC-1 (estado de Javier Martín Gómez,")
    assert action_ids(card) == BUTTONS
    assert all(REGISTRY.context(a["id"], a["value"]).id == flag.id for a in card.payload["actions"])


async def test_a_request_description_flags_its_customer(app, folk, sessions):
    await app.command(folk[ANA], "/pedir", "@facturacion #ACME quiere cancelar el contrato si no se corrige ya")
    [flag] = await flags(sessions)
    assert (flag.signal, flag.source_kind, flag.source_ref, flag.phrase) == (
        "cancel", "request", "PED-1", "cancelar el contrato")
    assert flag.team_id == (await team(sessions, "facturacion")).id
    assert [r.recipient_id for r in await outbox(sessions, prefix="risk:")] == [folk[ELENA].id]


async def test_a_competitor_named_in_the_org_file_flags_the_customer(app, folk, sessions):
    async with sessions() as session:
        session.add(Competitor(name="Zendesk"))
        await session.commit()
    await app.command(folk[ANA], "/pedir", "@facturacion #ACME nos compara con ZENDESK en cada reunión")
    [flag] = await flags(sessions)
    assert (flag.signal, flag.phrase, flag.action) == ("competitor", "ZENDESK", "call_today")


async def test_a_comment_flags_its_customer(ped1, app, folk, sessions):
    await app.command(folk[SARA], "/pedir", "comentar PED-1 El cliente pide un reembolso de la cuota de octubre")
    [flag] = await flags(sessions)
    assert (flag.signal, flag.source_kind, flag.source_ref, flag.author_id) == (
        "refund", "comment", "PED-1", folk[SARA].id)


async def test_a_resolve_note_flags_its_customer(ped1, app, folk, sessions):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Corregida, aunque nos avisan de que su abogado lo revisará")
    [flag] = await flags(sessions)
    assert (flag.signal, flag.source_kind, flag.source_ref, flag.phrase) == ("legal", "comment", "PED-1", "su abogado")


async def test_an_issue_title_flags_its_customer(app, folk, sessions):
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev1 Caída total, el cliente está furioso")
    [flag] = await flags(sessions)
    assert (flag.signal, flag.source_kind, flag.source_ref) == ("anger", "issue", "INC-1")


async def test_negated_text_does_not_flag(inc1, app, folk, sessions):
    await app.command(folk[JAVIER], "/estado", "INC-1 Hablado con ellos: no quieren cancelar el contrato.")
    await app.command(folk[ANA], "/pedir", "@facturacion #acme nunca han pedido un reembolso")
    assert await flags(sessions) == []
    assert await outbox(sessions, prefix="risk:") == []


async def test_untagged_request_does_not_flag(app, folk, sessions):
    await app.command(folk[ANA], "/pedir", "@facturacion el cliente quiere cancelar el contrato")
    await app.command(folk[SARA], "/pedir", "comentar PED-1 está muy enfadado")
    assert await flags(sessions) == []
    assert await outbox(sessions, prefix="risk:") == []


# ---------------------------------------------------------------- one flag per signal per week


async def test_the_same_signal_within_a_week_is_one_flag(inc1, ped1, app, folk, sessions, clock):
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente está muy enfadado")
    clock.advance(days=6, hours=23)
    await app.command(folk[JAVIER], "/estado", "INC-1 Sigue enfadado")
    await app.command(folk[SARA], "/pedir", "comentar PED-1 el cliente está indignado")
    assert [f.signal for f in await flags(sessions)] == ["anger"]
    assert len(await outbox(sessions, prefix="risk:")) == 1  # and no second message


async def test_after_a_week_the_same_signal_flags_again(inc1, app, folk, sessions, clock):
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente está muy enfadado")
    clock.advance(days=8)
    await app.command(folk[JAVIER], "/estado", "INC-1 Vuelve a estar enfadado")
    assert [(f.signal, f.created_at) for f in await flags(sessions)] == [
        ("anger", clock.now() - timedelta(days=8)), ("anger", clock.now())]
    assert len(await outbox(sessions, prefix="risk:")) == 2


async def test_a_different_signal_the_same_day_is_a_new_flag(inc1, app, folk, sessions):
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente está muy enfadado")
    await app.command(folk[JAVIER], "/estado", "INC-1 Ahora pide un reembolso de la cuota")
    assert [f.signal for f in await flags(sessions)] == ["anger", "refund"]


async def test_two_signals_in_one_text_are_two_flags_but_another_customer_is_separate(app, folk, sessions):
    await app.command(folk[ANA], "/pedir", "@facturacion #acme está harto y pide un reembolso de la cuota")
    await app.command(folk[ANA], "/pedir", "@facturacion #globex está harto")
    assert sorted((f.customer_id, f.signal) for f in await flags(sessions)) == sorted([
        ((await customer(sessions, "acme")).id, "anger"), ((await customer(sessions, "acme")).id, "refund"),
        ((await customer(sessions, "globex")).id, "anger")])


async def test_two_signals_in_one_text_are_one_alert_decided_together(app, folk, sessions):
    await app.command(folk[ANA], "/pedir", "@facturacion #acme está harto y pide un reembolso de la cuota")
    both = sorted(await flags(sessions), key=lambda f: f.id)
    assert {f.signal for f in both} == {"anger", "refund"}
    [card] = await outbox(sessions, prefix="risk:")
    assert card.card_key == f"risk:{both[0].id}"  # the strongest signal leads the alert
    assert "reembolso" in card.payload["text"] and "enfado" in card.payload["text"]
    await app.action(folk[ELENA], "risk.done", str(both[0].id))
    assert {f.state for f in await flags(sessions)} == {"done"}


# ---------------------------------------------------------------- who decides


async def test_without_an_account_manager_the_owner_teams_leads_decide(app, folk, sessions):
    async with sessions() as session, session.begin():
        await session.exec(update(Customer).where(Customer.slug == "acme").values(account_manager_id=None))
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    await app.command(folk[LUCIA], "/estado", "INC-1 El cliente está muy enfadado")
    await app.command(folk[ANA], "/pedir", "@facturacion #acme pide un reembolso de la cuota")
    cards = await outbox(sessions, prefix="risk:")
    assert await recipients(sessions, cards) == [JAVIER, MARTA]  # Soporte's lead, then Facturación's
    refused = await app.action(folk[ELENA], "risk.accept", "1")
    assert refused.refused
    accepted = await app.action(folk[JAVIER], "risk.accept", "1")
    assert not accepted.refused
    assert (await flags(sessions))[0].decided_by_id == folk[JAVIER].id


@pytest.fixture
async def flagged(inc1, app, folk) -> None:  # noqa: ANN001
    """Flag 1: anger about ACME, on Elena's desk."""
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente está muy enfadado")


@pytest.mark.parametrize("who", [ANA, JAVIER, LUCIA])  # not the account manager, even the owner team
@pytest.mark.parametrize("button", BUTTONS)
async def test_only_deciders_may_press(flagged, app, folk, sessions, who, button):
    before = await snapshot(sessions)
    reply = await app.action(folk[who], button, "1")
    assert reply.refused
    assert reply.message.text == "Solo el gestor de cuenta de ACME Logística S.L. decide sobre esta alerta."
    assert await snapshot(sessions) == before


async def test_accept_then_done(flagged, app, folk, sessions, clock):
    clock.advance(hours=1)
    mark = await last_outbox_id(sessions)
    reply = await app.action(folk[ELENA], "risk.accept", "1")
    assert reply.message.text == "Aceptada. Márcala como hecha cuando lo esté."
    [flag] = await flags(sessions)
    assert (flag.state, flag.decided_by_id, flag.decided_at) == ("accepted", folk[ELENA].id, clock.now())
    [card] = await outbox(sessions, after=mark)
    assert (card.card_key, await recipients(sessions, [card])) == ("risk:1", [ELENA])
    assert action_ids(card) == ["risk.dismiss", "risk.done"]
    assert card.payload["context"].endswith("· aceptada por Elena Torres Castillo")

    again = await app.action(folk[ELENA], "risk.accept", "1")
    assert again.refused and again.message.text == "Esa alerta ya está aceptada."

    mark = await last_outbox_id(sessions)
    done = await app.action(folk[ELENA], "risk.done", "1")
    assert done.message.text == "Hecho. ¡Gracias!"
    assert (await flags(sessions))[0].state == "done"
    [card] = await outbox(sessions, after=mark)
    assert action_ids(card) == []
    assert card.payload["context"].endswith("· hecha por Elena Torres Castillo")
    before = await snapshot(sessions)
    for button in BUTTONS:
        pressed = await app.action(folk[ELENA], button, "1")
        assert pressed.refused and pressed.message.text == "Esa alerta ya está hecha."
    assert await snapshot(sessions) == before


async def test_dismiss_ends_it(flagged, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await app.action(folk[ELENA], "risk.dismiss", "1")
    assert reply.message.text == "Descartada."
    assert (await flags(sessions))[0].state == "dismissed"
    [card] = await outbox(sessions, after=mark)
    assert (card.card_key, await recipients(sessions, [card])) == ("risk:1", [ELENA])
    assert action_ids(card) == []
    pressed = await app.action(folk[ELENA], "risk.done", "1")
    assert pressed.refused and pressed.message.text == "Esa alerta ya está descartada."


async def test_a_dismissed_flag_still_blocks_the_week(flagged, app, folk, sessions):
    await app.action(folk[ELENA], "risk.dismiss", "1")
    await app.command(folk[JAVIER], "/estado", "INC-1 Sigue enfadado")
    assert len(await flags(sessions)) == 1


async def test_unknown_flag(flagged, app, folk, sessions):
    before = await snapshot(sessions)
    for value in ("2", "0", "99999999999", "x"):
        reply = await app.action(folk[ELENA], "risk.accept", value)
        assert reply.refused, value
    for value in ("2", "x"):
        assert (await app.action(folk[ELENA], "risk.accept", value)).message.text == "Esa alerta ya no existe."
    assert await snapshot(sessions) == before


async def test_an_english_account_manager_gets_an_english_card(app, folk, sessions):
    await app.command(folk[LUCIA], "/incidencia", "nueva #initech sev2 Login fails")
    await app.command(folk[LUCIA], "/estado", "INC-1 They asked for a refund of the licence fee")
    [card] = await outbox(sessions, prefix="risk:")
    assert card.payload["title"] == "⚠ Possible risk with Initech Ltd"
    assert "Signal: *asks for a refund*" in card.payload["text"]
    reply = await app.action(folk["james.whitaker"], "risk.accept", "1")
    assert reply.message.text == "Accepted. Mark it done when it is."


async def test_the_already_answer_is_wholly_in_the_deployments_language(flagged, sessions, clock, folk):
    # Elena never chose a language; this deployment speaks English.
    async with sessions() as session, session.begin():
        await session.exec(update(Person).where(Person.id == folk[ELENA].id).values(locale=None))
    [elena] = await rows(sessions, Person, Person.id == folk[ELENA].id)
    app = Pedir(sessions, Settings(PEDIR_LOCALE="en"), clock)
    assert (await app.action(elena, "risk.accept", "1")).message.text == "Accepted. Mark it done when it is."
    again = await app.action(elena, "risk.accept", "1")
    assert again.refused and again.message.text == "That alert is already accepted."


async def test_done_pressed_alongside_accept_stays_done(flagged, app, folk, sessions, monkeypatch):
    # "Hecho" can follow "Aceptar", never the reverse: whatever the interleaving, the
    # flag ends done. A pause inside each decision makes the two overlap every time.
    slow_down(monkeypatch, risk, "_notify")
    done, accepted = await asyncio.gather(app.action(folk[ELENA], "risk.done", "1"),
                                          app.action(folk[ELENA], "risk.accept", "1"))
    assert not done.refused
    assert (await flags(sessions))[0].state == "done"
    if accepted.refused:
        assert accepted.message.text == "Esa alerta ya está hecha."
    [*_, latest] = await outbox(sessions, key="risk:1")
    assert action_ids(latest) == []  # the card delivered last is the finished one
