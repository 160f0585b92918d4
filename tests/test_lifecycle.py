"""A request's whole life through the façade: what is stored, what is delivered, what is said.

Every test runs on SQLite and PostgreSQL (the `sessions` fixture). The clock starts on
Wednesday 2026-11-25 at 10:00 in Madrid (09:00 UTC); Facturación works Mon–Thu 09–18 and
Fri 08–15 and promises, for high priority, a first response in 4 h and a resolution in 1 d
(8 business hours); Sistemas promises 1 h and 8 h.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from bot.interaction import Interaction
from storage.models import Request, RequestEvent, RequestRating, Team
from tests.harness.support import Delivered, RecordingChannel

MADRID = ZoneInfo("Europe/Madrid")
ACME_REQUEST = "@facturacion corregir la factura de #ACME !alta para:mañana"
ANA, SARA, MARTA = "ana.garcia", "sara.ruiz", "marta.lopez"


def madrid(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID)


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def deliver(sessions, clock, channel):  # noqa: ANN001
    """Drains the outbox; returns the channel calls this drain made."""
    async def drain() -> list[Delivered]:
        before = len(channel.calls)
        await Dispatcher(sessions, [channel], clock).drain()
        return channel.calls[before:]
    return drain


@pytest.fixture
async def ped1(app, folk, deliver) -> None:  # noqa: ANN001
    """PED-1: Ana asks Facturación to fix the ACME invoice; both cards are delivered."""
    reply = await app.command(folk[ANA], "/pedir", ACME_REQUEST)
    assert reply.message.text.startswith("Creado PED-1")
    await deliver()


@pytest.fixture
async def claimed(ped1, app, folk, deliver) -> None:  # noqa: ANN001
    """PED-1 claimed by Sara, delivered."""
    await app.action(folk[SARA], "request.claim", "1")
    await deliver()


async def load(sessions, request_id: int = 1) -> Request:  # noqa: ANN001
    async with sessions() as session:
        request = await session.get(Request, request_id)
    assert request is not None
    return request


async def event_kinds(sessions, request_id: int = 1) -> list[str]:  # noqa: ANN001
    async with sessions() as session:
        events = (await session.exec(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
        )).all()
    return [event.kind for event in events]


async def team_id(sessions, slug: str) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(Team.id).where(Team.slug == slug))).one()


def to(calls: list[Delivered], who: str) -> list[Delivered]:
    """Calls to a person (local part of the email) or a team ("team:sistemas")."""
    address = who if who.startswith("team:") else f"person:{who}@example.com"
    return [call for call in calls if call.address == address]


def card_id(channel: RecordingChannel, who: str) -> str:
    """External id of the first card posted to a person or team."""
    return next(call.external_id for call in to(channel.calls, who) if call.kind == "send" and not call.thread_id)


def field(message, label: str) -> str:  # noqa: ANN001
    return next(fact.value for fact in message.fields if fact.label == label)


def one_line(text: str) -> str:
    """Babel separates numbers and % with no-break spaces; compare plain spaces."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


# ---------------------------------------------------------------- creating


async def test_create_stores_customer_priority_and_due_date(ped1, sessions, folk):
    request = await load(sessions)
    assert request.status == "new"
    assert request.priority == "high"
    assert request.customer == "ACME"
    assert request.due_date == date(2026, 11, 26)  # "mañana" from Wednesday the 25th
    assert request.requester_id == folk[ANA].id
    assert request.team_id == await team_id(sessions, "facturacion")
    assert request.owner_id is None
    assert request.description == "corregir la factura de #ACME"


async def test_create_sets_sla_due_times_from_the_team_targets_in_business_hours(ped1, sessions):
    request = await load(sessions)
    assert request.first_response_due_at == madrid(11, 25, 14)  # 10:00 + 4 h
    assert request.resolution_due_at == madrid(11, 25, 18)  # 10:00 + 8 h, closing time


async def test_sla_due_times_skip_closed_hours_and_the_weekend(app, folk, sessions, clock):
    clock.set(madrid(11, 27, 14))  # Friday; Facturación closes at 15:00
    await app.command(folk[ANA], "/pedir", "@facturacion revisar el abono de #ACME")  # normal: 4 h / 3 d
    request = await load(sessions)
    assert request.first_response_due_at == madrid(11, 30, 12)  # 1 h on Friday, 3 h on Monday


async def test_create_answers_with_the_reference_and_the_first_response_promise(app, folk):
    reply = await app.command(folk[ANA], "/pedir", ACME_REQUEST)
    assert reply.message.text == "Creado PED-1 para Facturación. Primera respuesta antes de mié 25 nov, 14:00"


async def test_create_delivers_the_team_card_to_the_team(ped1, channel):
    [card] = to(channel.calls, "team:facturacion")
    assert card.kind == "send"
    assert card.message.title == "PED-1 · Facturación"
    assert card.message.text == "corregir la factura de #ACME"
    assert field(card.message, "Cliente") == "ACME Logística S.L."  # the name, not the tag
    assert field(card.message, "Prioridad") == "Alta"
    assert field(card.message, "Responsable") == "Sin asignar"
    assert {"request.claim", "request.assign", "request.resolve", "request.reject",
            "request.reassign"} <= {action.id for action in card.message.actions}
    assert all(REGISTRY.context(action.id, action.value).id == 1 for action in card.message.actions)


async def test_create_delivers_the_requester_card_to_the_requester(ped1, channel):
    [card] = to(channel.calls, ANA)
    assert card.kind == "send"
    assert card.message.title == "Tu pedido PED-1 a Facturación"
    assert field(card.message, "Estado") == "Nuevo"
    assert [action.id for action in card.message.actions] == ["request.comment", "request.withdraw"]


async def test_create_records_a_created_event(ped1, sessions):
    assert await event_kinds(sessions) == ["created"]


# ---------------------------------------------------------------- claiming


async def test_claim_button_makes_the_member_owner_and_starts_work(ped1, app, folk, sessions):
    reply = await app.action(folk[SARA], "request.claim", "1")
    assert reply.message.text == "Has tomado PED-1."
    request = await load(sessions)
    assert request.owner_id == folk[SARA].id
    assert request.status == "in_progress"
    assert request.first_response_met is True
    assert request.first_response_due_at is None
    assert await event_kinds(sessions) == ["created", "claimed"]


async def test_claim_by_text_command(ped1, app, folk, sessions):
    reply = await app.command(folk[MARTA], "/pedir", "tomar PED-1")
    assert reply.message.text == "Has tomado PED-1."
    request = await load(sessions)
    assert (request.owner_id, request.status) == (folk[MARTA].id, "in_progress")


async def test_claim_edits_the_team_card_in_place(ped1, app, folk, channel, deliver):
    await app.action(folk[SARA], "request.claim", "1")
    calls = await deliver()
    [edit] = to(calls, "team:facturacion")
    assert edit.kind == "update"
    assert edit.external_id == card_id(channel, "team:facturacion")
    assert field(edit.message, "Responsable") == "Sara Ruiz Moreno"
    assert field(edit.message, "Estado") == "En curso"
    assert "request.claim" not in {action.id for action in edit.message.actions}


async def test_claim_tells_the_requester_in_the_thread_of_their_card(ped1, app, folk, channel, deliver):
    await app.action(folk[SARA], "request.claim", "1")
    calls = await deliver()
    [notice] = [call for call in to(calls, ANA) if call.kind == "send"]
    assert notice.thread_id == card_id(channel, ANA)
    assert notice.message.text == "Sara Ruiz Moreno se encarga de PED-1."
    # Ana's own card is edited too, not posted again.
    assert [call.external_id for call in to(calls, ANA) if call.kind == "update"] == [card_id(channel, ANA)]


async def test_a_second_claim_is_refused_and_names_the_owner(claimed, app, folk, sessions):
    reply = await app.action(folk[MARTA], "request.claim", "1")
    assert reply.message.text == "PED-1 ya lo tiene Sara Ruiz Moreno."
    assert (await load(sessions)).owner_id == folk[SARA].id


# ---------------------------------------------------------------- asking for information


async def test_asking_for_information_pauses_the_resolution_clock(claimed, app, folk, sessions, clock):
    clock.advance(hours=1)  # 11:00: 7 of the 8 business hours left
    reply = await app.command(folk[SARA], "/pedir", "info PED-1 ¿Cuál es el número de la factura?")
    assert reply.message.text == (
        "Pregunta enviada a Ana García Ruiz. El SLA de PED-1 queda en pausa hasta su respuesta."
    )
    request = await load(sessions)
    assert request.status == "waiting_info"
    assert request.resolution_due_at is None
    assert request.sla_paused_remaining == 7 * 3600  # business seconds


async def test_the_question_reaches_the_requester_in_their_thread(claimed, app, folk, channel, deliver):
    await app.command(folk[SARA], "/pedir", "info PED-1 ¿Cuál es el número de la factura?")
    calls = await deliver()
    [question] = [call for call in to(calls, ANA) if call.kind == "send"]
    assert question.thread_id == card_id(channel, ANA)
    assert question.message.text.startswith("Sara Ruiz Moreno necesita información para PED-1: ¿Cuál es el número")
    [team_edit] = to(calls, "team:facturacion")
    assert team_edit.message.context == "SLA en pausa: esperando al solicitante"


async def test_the_requesters_answer_resumes_work_and_pushes_the_due_time_out(claimed, app, folk, sessions, clock):
    original_due = (await load(sessions)).resolution_due_at
    assert original_due == madrid(11, 25, 18)
    clock.advance(hours=1)
    await app.command(folk[SARA], "/pedir", "info PED-1 ¿Cuál es el número de la factura?")
    clock.advance(hours=2)  # paused from 11:00 to 13:00
    reply = await app.command(folk[ANA], "/pedir", "comentar PED-1 Es la F-2026-118")
    assert reply.message.text == "Comentario añadido a PED-1."
    request = await load(sessions)
    assert request.status == "in_progress"
    assert request.sla_paused_remaining is None
    # Two business hours later than promised: 18:00 Wednesday + 2 h = 11:00 Thursday.
    assert request.resolution_due_at == madrid(11, 26, 11)
    assert await event_kinds(sessions) == ["created", "claimed", "info_requested", "info_provided"]


async def test_the_requesters_comment_reaches_the_team_thread(claimed, app, folk, channel, deliver):
    await app.command(folk[ANA], "/pedir", "comentar PED-1 Es la F-2026-118")
    calls = await deliver()
    [comment] = [call for call in to(calls, "team:facturacion") if call.kind == "send"]
    assert comment.thread_id == card_id(channel, "team:facturacion")
    assert comment.message.text == "Ana García Ruiz: Es la F-2026-118"


async def test_a_team_comment_reaches_the_requester(claimed, app, folk, sessions, channel, deliver):
    reply = await app.command(folk[SARA], "/pedir", "comentar PED-1 Lo miro esta tarde")
    assert reply.message.text == "Comentario añadido a PED-1."
    calls = await deliver()
    [comment] = to(calls, ANA)
    assert comment.thread_id == card_id(channel, ANA)
    assert comment.message.text == "Sara Ruiz Moreno: Lo miro esta tarde"
    assert (await event_kinds(sessions))[-1] == "commented"


# ---------------------------------------------------------------- resolving, rating, reopening


async def test_resolve_with_a_note(claimed, app, folk, sessions, clock, deliver):
    clock.advance(hours=2)
    reply = await app.command(folk[SARA], "/pedir", "resolver PED-1 Factura corregida y reenviada")
    assert reply.message.text == "PED-1 resuelto."
    request = await load(sessions)
    assert request.status == "resolved"
    assert request.resolved_at == clock.now()
    assert request.resolution_met is True
    assert request.resolution_due_at is None
    texts = [call.message.text for call in to(await deliver(), ANA)]
    assert "Sara Ruiz Moreno ha resuelto PED-1: Factura corregida y reenviada" in texts


async def test_resolving_asks_the_requester_for_a_rating_with_five_buttons(claimed, app, folk, channel, deliver):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    calls = await deliver()
    [prompt] = [call for call in to(calls, ANA) if call.message.actions and call.message.actions[0].id == "request.rate"]
    assert prompt.message.text == "Facturación ha resuelto PED-1. ¿Cómo valoras el servicio? (1 a 5)"
    assert [(a.id, REGISTRY.context(a.id, a.value)) for a in prompt.message.actions] == [
        ("request.rate", Interaction("request.rate", "request", 1, str(n))) for n in range(1, 6)]
    assert prompt.thread_id == card_id(channel, ANA)
    # The requester's card now offers to reopen.
    [card] = [call for call in to(calls, ANA) if call.kind == "update"]
    assert [action.id for action in card.message.actions] == ["request.reopen"]


async def test_rating_then_adding_a_comment(claimed, app, folk, sessions, deliver):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    reply = await app.action(folk[ANA], "request.rate", "1:4")
    assert reply.message.text == "¡Gracias por tu valoración de PED-1!"
    assert [(a.id, REGISTRY.context(a.id, a.value).id) for a in reply.message.actions] == [("request.rate_comment", 1)]

    form = (await app.action(folk[ANA], "request.rate_comment", "1")).form
    assert form is not None and form.id == "request.rate_comment" and REGISTRY.context(form.id, form.context, form=True).id == 1
    reply = await app.submit(folk[ANA], form.id, form.context, {"comment": "Rapidísimos, gracias"})
    assert reply.message.text == "Comentario guardado. ¡Gracias!"

    async with sessions() as session:
        rating = (await session.exec(select(RequestRating))).one()
    assert (rating.request_id, rating.score, rating.comment) == (1, 4, "Rapidísimos, gracias")
    team_texts = [call.message.text for call in to(await deliver(), "team:facturacion")]
    assert any(text.startswith("Valoración de PED-1: ★★★★☆") for text in team_texts)
    assert "Comentario a la valoración de PED-1: Rapidísimos, gracias" in team_texts
    assert (await event_kinds(sessions))[-2:] == ["rated", "rating_comment"]


async def test_a_second_rating_is_refused(claimed, app, folk, sessions):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    await app.action(folk[ANA], "request.rate", "1:4")
    reply = await app.action(folk[ANA], "request.rate", "1:1")
    assert reply.message.text == "Ya valoraste PED-1. ¡Gracias!"
    reply = await app.command(folk[ANA], "/pedir", "valorar PED-1 5")
    assert reply.message.text == "Ya valoraste PED-1. ¡Gracias!"
    async with sessions() as session:
        ratings = (await session.exec(select(RequestRating))).all()
    assert [rating.score for rating in ratings] == [4]


async def test_the_requester_reopens_within_seven_days(claimed, app, folk, sessions, clock, deliver):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    await deliver()
    clock.set(madrid(12, 1, 10))  # six days later, a Tuesday
    reply = await app.action(folk[ANA], "request.reopen", "1")
    assert reply.message.text == "PED-1 reabierto."
    request = await load(sessions)
    assert request.status == "in_progress"  # Sara still owns it
    assert request.owner_id == folk[SARA].id
    assert request.resolved_at is None
    assert request.resolution_met is None
    assert request.resolution_due_at == madrid(12, 1, 18)  # a fresh 8 business hours
    texts = [call.message.text for call in to(await deliver(), "team:facturacion") if call.kind == "send"]
    assert texts == ["Ana García Ruiz ha reabierto PED-1."]
    assert (await event_kinds(sessions))[-1] == "reopened"


async def test_reopening_after_eight_days_is_refused(claimed, app, folk, sessions, clock):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    clock.advance(days=8)
    reply = await app.command(folk[ANA], "/pedir", "reabrir PED-1")
    assert reply.message.text == "PED-1 se resolvió hace más de 7 días: crea un pedido nuevo y menciona PED-1."
    assert (await load(sessions)).status == "resolved"
    assert "reopened" not in await event_kinds(sessions)


async def test_a_reopened_request_is_not_shown_at_risk_with_its_fresh_promise(claimed, app, folk, clock, deliver):
    await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    clock.set(madrid(12, 1, 10))  # six days later; a fresh 8 business hours from now
    await app.action(folk[ANA], "request.reopen", "1")
    [card] = [call for call in to(await deliver(), "team:facturacion") if call.kind == "update"]
    assert card.message.context == "Resolución antes de mar 1 dic, 18:00"


# ---------------------------------------------------------------- rejecting


async def test_rejecting_by_command_needs_a_reason(ped1, app, folk, sessions):
    reply = await app.command(folk[SARA], "/pedir", "rechazar PED-1")
    assert reply.message.text == "Falta el motivo. Por ejemplo: /pedir rechazar PED-1 no es de nuestro equipo"
    assert (await load(sessions)).status == "new"


async def test_the_reject_form_requires_a_reason(ped1, app, folk, sessions):
    form = (await app.action(folk[SARA], "request.reject", "1")).form
    assert form is not None and form.id == "request.reject"
    assert [(f.name, f.required) for f in form.fields] == [("reason", True)]
    reply = await app.submit(folk[SARA], "request.reject", "1", {"reason": "   "})
    assert reply.errors == {"reason": "Indica el motivo."}
    assert (await load(sessions)).status == "new"


async def test_reject_with_a_reason_closes_and_tells_the_requester(ped1, app, folk, sessions, deliver):
    reply = await app.submit(folk[SARA], "request.reject", "1", {"reason": "No es de facturación"})
    assert reply.message.text == "PED-1 rechazado."
    request = await load(sessions)
    assert request.status == "rejected"
    assert request.resolved_at is not None
    texts = [call.message.text for call in to(await deliver(), ANA)]
    assert "Sara Ruiz Moreno ha rechazado PED-1: No es de facturación" in texts
    assert (await event_kinds(sessions))[-1] == "rejected"


# ---------------------------------------------------------------- reassigning


async def test_reassign_moves_the_request_clears_the_owner_and_restarts_the_sla(claimed, app, folk, sessions, clock):
    clock.advance(hours=1)  # 11:00
    reply = await app.command(folk[SARA], "/pedir", "reasignar PED-1 @sistemas Es un problema de acceso")
    assert reply.message.text == "PED-1 pasado a Sistemas."
    request = await load(sessions)
    assert request.team_id == await team_id(sessions, "sistemas")
    assert request.owner_id is None
    assert request.status == "new"
    assert request.reassign_count == 1
    assert request.flagged is False
    # Sistemas, high priority: 1 h first response, 8 h resolution, counted from now.
    assert request.first_response_due_at == madrid(11, 25, 12)
    assert request.first_response_met is None
    assert request.resolution_due_at == madrid(11, 26, 10)


async def test_reassign_edits_the_old_card_and_posts_one_to_the_new_team(claimed, app, folk, channel, deliver):
    await app.command(folk[SARA], "/pedir", "reasignar PED-1 @sistemas Es un problema de acceso")
    calls = await deliver()
    [old] = to(calls, "team:facturacion")
    assert old.kind == "update" and old.external_id == card_id(channel, "team:facturacion")
    assert old.message.context == "Reasignado a Sistemas: Es un problema de acceso"
    assert old.message.actions == []
    [new] = to(calls, "team:sistemas")
    assert new.kind == "send" and new.thread_id is None
    assert new.message.title == "PED-1 · Sistemas"
    assert field(new.message, "Responsable") == "Sin asignar"
    assert "request.claim" in {action.id for action in new.message.actions}
    texts = [call.message.text for call in to(calls, ANA) if call.kind == "send"]
    assert texts == ["Facturación ha pasado PED-1 a Sistemas: Es un problema de acceso"]


async def test_a_request_reassigned_days_later_starts_with_a_clean_sla_state(ped1, app, folk, clock, deliver):
    clock.set(madrid(11, 30, 10))  # the next Monday
    await app.command(folk[SARA], "/pedir", "reasignar PED-1 @sistemas Es un problema de acceso")
    [card] = to(await deliver(), "team:sistemas")
    assert "⚠" not in card.message.context
    assert card.message.context == "Primera respuesta antes de lun 30 nov, 11:00 · Resolución antes de lun 30 nov, 18:00"


async def test_reassign_through_the_form(ped1, app, folk, sessions):
    form = (await app.action(folk[SARA], "request.reassign", "1")).form
    assert form is not None and form.id == "request.reassign"
    choices = [value for value, _label in form.fields[0].choices]
    assert "facturacion" not in choices and "sistemas" in choices
    reply = await app.submit(folk[SARA], form.id, form.context, {"team": "sistemas", "reason": "Acceso a la VPN"})
    assert reply.message.text == "PED-1 pasado a Sistemas."
    assert (await load(sessions)).team_id == await team_id(sessions, "sistemas")
    async with sessions() as session:
        [event] = (await session.exec(select(RequestEvent).where(RequestEvent.kind == "reassigned"))).all()
    assert event.text == "Acceso a la VPN"
    assert event.data == {"from_team": "facturacion", "to_team": "sistemas"}


async def test_three_reassignments_flag_the_request_and_warn_both_leads(ped1, app, folk, sessions, deliver):
    # Sara belongs to Facturación and Legal, so she can bounce it between them.
    await app.command(folk[SARA], "/pedir", "reasignar PED-1 @legal Es un contrato")
    await app.command(folk[SARA], "/pedir", "reasignar PED-1 @facturacion Es una factura")
    await deliver()
    assert (await load(sessions)).flagged is False
    await app.command(folk[SARA], "/pedir", "reasignar PED-1 @sistemas Es un acceso")
    request = await load(sessions)
    assert request.reassign_count == 3
    assert request.flagged is True
    assert (await event_kinds(sessions))[-2:] == ["reassigned", "flagged"]
    calls = await deliver()
    warning = ("⚠ PED-1 se ha reasignado 3 veces (ahora de Facturación a Sistemas). "
               "Revisad juntos a quién corresponde.")
    assert [call.message.text for call in to(calls, MARTA)] == [warning]
    assert [call.message.text for call in to(calls, "pablo.jimenez")] == [warning]
    assert to(calls, "alvaro.ramos") == []


# ---------------------------------------------------------------- assigning


async def test_the_lead_assigns_through_the_form(ped1, app, folk, sessions, deliver):
    form = (await app.action(folk[MARTA], "request.assign", "1")).form
    assert form is not None and form.id == "request.assign" and REGISTRY.context(form.id, form.context, form=True).id == 1
    choices = dict(form.fields[0].choices)
    assert choices == {str(folk[MARTA].id): "Marta López Fernández", str(folk[SARA].id): "Sara Ruiz Moreno"}
    reply = await app.submit(folk[MARTA], "request.assign", "1", {"person": str(folk[SARA].id)})
    assert reply.message.text == "PED-1 asignado a Sara Ruiz Moreno."
    request = await load(sessions)
    assert (request.owner_id, request.status) == (folk[SARA].id, "in_progress")
    assert (await event_kinds(sessions))[-1] == "assigned"
    calls = await deliver()
    assert [call.message.text for call in to(calls, SARA)] == [
        "Marta López Fernández te ha asignado PED-1: corregir la factura de #ACME"
    ]


async def test_assigning_someone_outside_the_team_is_refused(ped1, app, folk, sessions):
    reply = await app.submit(folk[MARTA], "request.assign", "1", {"person": str(folk["pablo.jimenez"].id)})
    assert reply.message.text == "Pablo Jiménez Ortega no es del equipo Facturación."
    assert (await load(sessions)).owner_id is None


async def test_assigning_without_choosing_a_person_is_a_field_error(ped1, app, folk):
    reply = await app.submit(folk[MARTA], "request.assign", "1", {"person": ""})
    assert reply.errors == {"person": "Elige una persona."}


# ---------------------------------------------------------------- the record


async def test_every_change_leaves_an_event(ped1, app, folk, sessions, clock):
    ana, sara, marta = folk[ANA], folk[SARA], folk[MARTA]
    steps = [
        lambda: app.submit(marta, "request.assign", "1", {"person": str(sara.id)}),
        lambda: app.command(sara, "/pedir", "info PED-1 ¿Qué número?"),
        lambda: app.command(ana, "/pedir", "comentar PED-1 La F-118"),
        lambda: app.command(sara, "/pedir", "comentar PED-1 Gracias"),
        lambda: app.command(ana, "/pedir", "comentar PED-1 A vosotros"),
        lambda: app.command(sara, "/pedir", "resolver PED-1"),
        lambda: app.action(ana, "request.rate", "1:5"),
        lambda: app.submit(ana, "request.rate_comment", "1", {"comment": "Genial"}),
        lambda: app.action(ana, "request.reopen", "1"),
        lambda: app.command(sara, "/pedir", "reasignar PED-1 @legal Revisión del contrato"),
        lambda: app.command(sara, "/pedir", "rechazar PED-1 Ya resuelto en otro pedido"),
    ]
    for step in steps:
        clock.advance(minutes=5)
        reply = await step()
        assert reply.message is not None and not reply.errors
    assert await event_kinds(sessions) == [
        "created", "assigned", "info_requested", "info_provided", "commented", "commented",
        "resolved", "rated", "rating_comment", "reopened", "reassigned", "rejected",
    ]
    async with sessions() as session:
        events = (await session.exec(select(RequestEvent).order_by(RequestEvent.id))).all()
    assert [e.actor_id for e in events] == [
        ana.id, marta.id, sara.id, ana.id, sara.id, ana.id, sara.id, ana.id, ana.id, ana.id, sara.id, sara.id,
    ]
    assert all(e.created_at is not None for e in events)


async def test_view_shows_the_card_and_the_timeline(claimed, app, folk, clock):
    clock.advance(minutes=30)
    await app.command(folk[SARA], "/pedir", "comentar PED-1 Lo miro esta tarde")
    reply = await app.command(folk[ANA], "/pedir", "ver PED-1")
    message = reply.message
    assert message.title == "PED-1 · Facturación"
    assert message.actions == []
    timeline = message.text.split("*Historial*", 1)[1].strip().splitlines()
    assert timeline == [
        "mié 25 nov, 10:00 · Ana García Ruiz creó el pedido",
        "mié 25 nov, 10:00 · Sara Ruiz Moreno lo tomó",
        "mié 25 nov, 10:30 · Sara Ruiz Moreno comentó: Lo miro esta tarde",
    ]


async def test_team_members_may_view_too(ped1, app, folk):
    reply = await app.command(folk[MARTA], "/pedir", "ver PED-1")
    assert reply.message.title == "PED-1 · Facturación"


# ---------------------------------------------------------------- lists


async def test_mine_lists_the_requesters_open_requests(ped1, app, folk):
    await app.command(folk[ANA], "/pedir", "@sistemas la VPN no funciona")
    await app.command(folk[ANA], "/pedir", "@legal revisar el NDA de #ACME")
    await app.command(folk[SARA], "/pedir", "rechazar PED-3 No hace falta")
    await app.command(folk[MARTA], "/pedir", "@sistemas no tengo acceso")  # someone else's
    reply = await app.command(folk[ANA], "/pedir", "mis")
    assert reply.message.title == "Tus pedidos abiertos (2)"
    text = reply.message.text
    assert "PED-1 · Facturación · Nuevo" in text
    assert "PED-2 · Sistemas · Nuevo" in text
    assert "PED-3" not in text and "PED-4" not in text


async def test_mine_without_open_requests(app, folk):
    reply = await app.command(folk[ANA], "/pedir", "mis")
    assert reply.message.text == "No tienes pedidos abiertos."


async def test_queue_lists_the_callers_team(claimed, app, folk):
    await app.command(folk["irene.vazquez"], "/pedir", "@facturacion otra factura")
    reply = await app.command(folk[MARTA], "/pedir", "cola")
    assert reply.message.title == "Cola de Facturación (2)"
    lines = reply.message.text.splitlines()
    assert lines[0].startswith("PED-1 · Facturación · En curso · Sara Ruiz Moreno")
    assert "PED-2 · Facturación · Nuevo" in reply.message.text


async def test_queue_of_a_named_team_and_an_empty_queue(ped1, app, folk):
    # Sara is in Facturación and Legal.
    reply = await app.command(folk[SARA], "/pedir", "cola @legal")
    assert reply.message.text == "La cola de Legal está vacía. 🎉"
    reply = await app.command(folk[SARA], "/pedir", "cola @facturacion")
    assert reply.message.title == "Cola de Facturación (1)"


async def test_queue_of_someone_in_two_teams_shows_both(ped1, app, folk):
    # Sara is in Facturación and Legal: each queue, under its own name, Facturación's first.
    reply = await app.command(folk[SARA], "/pedir", "cola")
    assert reply.message.title == "Las colas de tus equipos (1)"
    assert reply.message.text.split("\n\n") == [
        "*Cola de Facturación (1)*\n" + reply.message.text.split("\n")[1] + "\n    corregir la factura de #ACME",
        "*La cola de Legal está vacía. 🎉*",
    ]
    assert reply.message.text.split("\n")[1].startswith("PED-1 · Facturación · Nuevo")
    await app.command(folk[ANA], "/pedir", "@legal revisar la cláusula 4 del contrato")
    reply = await app.command(folk[SARA], "/pedir", "cola")
    assert reply.message.title == "Las colas de tus equipos (2)"
    assert "*Cola de Legal (1)*\nPED-2 · Legal · Nuevo" in reply.message.text
    # Someone in one team sees theirs as before; naming a team shows that one alone.
    assert (await app.command(folk[MARTA], "/pedir", "cola")).message.title == "Cola de Facturación (1)"
    assert (await app.command(folk[SARA], "/pedir", "cola @legal")).message.title == "Cola de Legal (1)"


# ---------------------------------------------------------------- an English speaker


async def test_an_english_user_gets_english_replies_and_cards(app, folk, channel, deliver):
    james = folk["james.whitaker"]
    reply = await app.command(james, "/request", "@facturacion fix the #ACME invoice !high due:tomorrow")
    assert one_line(reply.message.text) == "Created PED-1 for Facturación. First response by Wed, Nov 25, 2:00 PM"
    calls = await deliver()
    [card] = to(calls, "james.whitaker")
    assert card.message.title == "Your request PED-1 to Facturación"
    assert field(card.message, "Status") == "New"
    assert field(card.message, "Priority") == "High"
    # The team reads its own card in Spanish.
    [team_card] = to(calls, "team:facturacion")
    assert field(team_card.message, "Prioridad") == "Alta"

    await app.action(folk[SARA], "request.claim", "1")
    [notice] = [call for call in to(await deliver(), "james.whitaker") if call.kind == "send"]
    assert notice.message.text == "Sara Ruiz Moreno is handling PED-1."

    reply = await app.command(james, "/request", "mine")
    assert reply.message.title == "Your open requests (1)"
    assert "PED-1 · Facturación · In progress" in reply.message.text


async def test_an_english_user_gets_refusals_in_english(ped1, app, folk):
    james = folk["james.whitaker"]
    reply = await app.command(james, "/request", "claim PED-1")
    assert reply.message.text == "Only the Facturación team can do that with PED-1."
    reply = await app.command(james, "/request", "view PED-9")
    assert reply.message.text == "There is no request PED-9. Check the number or use /pedir mine."


# ---------------------------------------------------------------- the team directory


async def test_equipos_lists_every_team(app, folk):
    reply = await app.command(folk[ANA], "/equipos", "")
    assert reply.message.title == "Equipos (6)"
    lines = reply.message.text.splitlines()
    assert len(lines) == 6
    assert any(line.startswith("@facturacion · Facturación — Emitimos las facturas") for line in lines)
    assert any(line.startswith("@sistemas · Sistemas — ") for line in lines)


async def test_equipo_shows_the_customer_card_and_the_sla_promise(app, folk):
    reply = await app.command(folk[ANA], "/equipo", "@facturacion")
    message = reply.message
    assert message.title == "@facturacion · Facturación"
    assert "Emitimos las facturas" in message.text
    assert field(message, "Nuestros clientes internos").startswith("Ventas y los gestores de cuenta")
    assert field(message, "Pídenos").startswith("Corregir o reenviar una factura")
    assert field(message, "Lo que necesitamos de ti").startswith("El cliente y el número de factura")
    assert field(message, "Responsable del equipo") == "Marta López Fernández"
    promise = field(message, "Nuestro compromiso (horario laboral)").splitlines()
    assert "Urgente: primera respuesta en 1 h, resolución en 4 h" in promise
    assert "Alta: primera respuesta en 4 h, resolución en 8 h" in promise
    assert field(message, "Últimos 30 días") == "Aún no hay pedidos cerrados."


async def test_equipo_accepts_the_name_with_accents(app, folk):
    reply = await app.command(folk[ANA], "/equipo", "Facturación")
    assert reply.message.title == "@facturacion · Facturación"


async def test_equipo_shows_the_share_resolved_on_time_over_30_days(app, folk, clock):
    ana, sara = folk[ANA], folk[SARA]
    # Resolved long ago: outside the 30 days, not counted.
    clock.set(madrid(10, 1, 10))
    await app.command(ana, "/pedir", "@facturacion una factura vieja !urgente")
    clock.advance(days=1)
    await app.command(sara, "/pedir", "resolver PED-1")
    # Met: resolved at once. Missed: urgent promises 4 h, resolved after 5.
    clock.set(madrid(11, 25, 10))
    await app.command(ana, "/pedir", "@facturacion una factura !urgente")
    await app.command(sara, "/pedir", "resolver PED-2")
    await app.command(ana, "/pedir", "@facturacion otra factura !urgente")
    clock.advance(hours=5)
    await app.command(sara, "/pedir", "resolver PED-3")
    reply = await app.command(ana, "/equipo", "@facturacion")
    assert one_line(field(reply.message, "Últimos 30 días")) == "50 % de 2 pedidos resueltos a tiempo"


async def test_equipo_for_an_unknown_team_suggests_one(app, folk):
    reply = await app.command(folk[ANA], "/equipo", "@factura")
    assert reply.message.text == "No encuentro el equipo «factura». ¿Quisiste decir @facturacion?"


async def test_equipo_for_a_team_that_does_not_exist_lists_the_teams(app, folk):
    # No buttons come with this answer, so the names must be in the text.
    reply = await app.command(folk[ANA], "/equipo", "@xyzzy")
    assert reply.message.text == (
        "No encuentro el equipo «xyzzy». Los equipos son: "
        "@facturacion, @legal, @rrhh, @sistemas, @soporte, @ventas."
    )
    reply = await app.command(folk["james.whitaker"], "/team", "@xyzzy")
    assert reply.message.text.startswith("I can't find the team “xyzzy”. The teams are: @facturacion,")

