"""What Pedir does with what people type into a request, and what it says back:
deadlines read from the text (and those it could not read), a second team named,
a near-miss customer tag, a due date before the team's own promise, the request
form's date field, times in the reader's own zone, and the stars in a history.

The demo organisation at Wednesday 2026-11-25 10:00 in Madrid; Facturación
promises a normal request's resolution in 3 business days (24 h: by Friday 15:00). Every test runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from adapters.slack.blocks import modal_view
from adapters.teams.cards import form_card
from bot.delivery.dispatcher import Dispatcher
from bot.interaction import decode
from bot.requests.commands.forms import new_request
from bot.requests.states import DRAFT
from storage.models import Customer, Draft, Request, Team
from tests.harness.support import RecordingChannel

MADRID = ZoneInfo("Europe/Madrid")
ANA, SARA, CARLOS, JAMES = "ana.garcia", "sara.ruiz", "carlos.navarro", "james.whitaker"


async def requests(sessions) -> list[Request]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Request).order_by(Request.id))).all())


async def drafts(sessions) -> list[Draft]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Draft))).all())


async def deliver(sessions, clock) -> RecordingChannel:  # noqa: ANN001
    channel = RecordingChannel()
    await Dispatcher(sessions, [channel], clock).drain()
    return channel


def field(message, label: str) -> str:  # noqa: ANN001
    return next(fact.value for fact in message.fields if fact.label == label)


# ---------------------------------------------------------------- deadlines in the text


async def test_a_deadline_phrase_sets_the_due_date_and_the_reply_says_which(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@facturacion cerrar el trimestre antes del 15 de diciembre")
    assert reply.message.text.splitlines()[1] == "Fecha límite: 15 dic 2026 (por «antes del 15 de diciembre»)."
    [request] = await requests(sessions)
    assert request.due_date == date(2026, 12, 15)
    assert request.description == "cerrar el trimestre antes del 15 de diciembre"


async def test_an_unreadable_deadline_is_said_and_the_request_kept(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@facturacion cerrar el trimestre antes del 31 de febrero")
    assert not reply.refused
    assert reply.message.text.splitlines()[1] == (
        "No entiendo la fecha «antes del 31 de febrero», así que el pedido queda sin fecha límite. "
        "Si la tiene, díselo al equipo: /pedir comentar PED-1 lo necesito para el 15 de diciembre")
    [request] = await requests(sessions)
    assert (request.due_date, request.description) == (None, "cerrar el trimestre antes del 31 de febrero")


async def test_a_past_deadline_is_said_in_english(app, folk, sessions):
    reply = await app.command(folk[JAMES], "/pedir", "@facturacion refund it, it was due by 2026-11-01")
    assert "“by 2026-11-01” has already passed, so the request has no due date." in reply.message.text
    [request] = await requests(sessions)
    assert request.due_date is None


async def test_a_deadline_chosen_after_the_team_question_is_still_said(app, folk, sessions):
    # A team near-missed: the request waits in a draft while Ana picks one; the note survives.
    asked = await app.command(folk[ANA], "/pedir", "@sistema renovar el certificado antes del 31 de febrero")
    assert not await requests(sessions)
    pick = next(action for action in asked.message.actions if action.label.startswith("@sistemas"))
    reply = await app.action(folk[ANA], pick.id, pick.value)
    assert reply.message.text.startswith("Creado PED-1 para Sistemas.")
    assert "No entiendo la fecha «antes del 31 de febrero»" in reply.message.text


# ---------------------------------------------------------------- one team per request


async def test_a_second_team_named_stays_in_the_text_with_a_word(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@facturacion revisad la cláusula con @legal y @ana.garcia")
    assert reply.message.text.splitlines()[1] == (
        "Un pedido va a un solo equipo: este es para Facturación, y @legal queda solo en el texto. "
        "Si también necesitas algo de @legal, pídeselo aparte.")
    [request] = await requests(sessions)
    assert request.description == "revisad la cláusula con @legal y @ana.garcia"
    # A person mentioned later is just text: nothing to say.
    reply = await app.command(folk[ANA], "/pedir", "@facturacion preguntad a @sara.ruiz por la factura")
    assert reply.message.text.count("\n") == 0


# ---------------------------------------------------------------- customers


async def test_a_near_miss_customer_tag_is_asked_about_before_anything_is_created(app, folk, sessions, clock):
    asked = await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACMEE !alta")
    assert asked.message.text == "No conozco el cliente «#ACMEE». ¿Es uno de estos?"
    labels = [action.label for action in asked.message.actions]
    assert labels == ["#acme · ACME Logística S.L.", "Dejar «#ACMEE»"]
    assert not await requests(sessions)
    reply = await app.action(folk[ANA], asked.message.actions[0].id, asked.message.actions[0].value)
    assert reply.message.text.startswith("Creado PED-1 para Facturación.")
    [request] = await requests(sessions)
    async with sessions() as session:
        acme = (await session.exec(select(Customer).where(Customer.slug == "acme"))).one()
    assert (request.customer_id, request.customer, request.priority) == (acme.id, "acme", "high")
    assert request.description == "corregir la factura de #acme"
    assert not await drafts(sessions)
    # The cards name the customer, not the tag.
    channel = await deliver(sessions, clock)
    card = next(call.message for call in channel.calls if call.address == "team:facturacion")
    assert field(card, "Cliente") == "ACME Logística S.L."


async def test_a_near_miss_tag_can_be_kept_as_typed(app, folk, sessions):
    asked = await app.command(folk[ANA], "/pedir", "@facturacion alta de #ACMEE como cliente")
    keep = asked.message.actions[-1]
    assert decode(keep.value, keep.id, DRAFT).arg == ""  # no customer: keep the tag
    reply = await app.action(folk[ANA], keep.id, keep.value)
    assert reply.message.text.startswith("Creado PED-1")
    [request] = await requests(sessions)
    assert (request.customer, request.customer_id, request.description) == ("ACMEE", None, "alta de #ACMEE como cliente")


async def test_the_request_form_asks_about_a_near_miss_customer_too(app, folk, sessions):
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "facturacion", "description": "revisar el abono", "customer": "initek", "priority": "normal", "due": ""})
    assert reply.message.text == "No conozco el cliente «#initek». ¿Es uno de estos?"
    assert reply.message.actions[0].label == "#initech · Initech Ltd"
    assert not await requests(sessions)


async def test_an_unknown_tag_like_no_customer_is_taken_as_it_is(app, folk, sessions, clock):
    reply = await app.command(folk[ANA], "/pedir", "@facturacion factura de #Zeta")
    assert reply.message.text.startswith("Creado PED-1")
    channel = await deliver(sessions, clock)
    card = next(call.message for call in channel.calls if call.address == "team:facturacion")
    assert field(card, "Cliente") == "#Zeta"


# ---------------------------------------------------------------- a due date before the promise


async def test_a_due_date_before_the_resolution_time_is_said_to_both_sides(app, folk, sessions, clock):
    # Normal priority: Facturación resolves within 3 business days (24 h), by Friday 15:00.
    reply = await app.command(folk[ANA], "/pedir", "@facturacion revisar el abono de #globex para:jueves")
    assert reply.message.text.splitlines()[1] == (
        "Ojo: lo pides para el 26 nov 2026, pero el plazo de resolución de Facturación llega hasta vie 27 nov, 15:00. "
        "Si no puede esperar, díselo con un comentario o usa !urgente.")
    channel = await deliver(sessions, clock)
    [notice] = [call for call in channel.calls if call.address == "team:facturacion" and call.thread_id]
    assert notice.message.text == (
        "⚠ Ana García Ruiz necesita PED-1 para el 26 nov 2026, antes de que acabe vuestro plazo de resolución "
        "(vie 27 nov, 15:00).")


async def test_a_due_date_the_promise_meets_says_nothing_more(app, folk, sessions, clock):
    # The same day as the promise is no conflict: "para el viernes" and due Friday 15:00.
    reply = await app.command(folk[ANA], "/pedir", "@facturacion revisar el abono para:viernes")
    assert reply.message.text.count("\n") == 0
    channel = await deliver(sessions, clock)
    assert not [call for call in channel.calls if call.thread_id]


# ---------------------------------------------------------------- the request form


async def test_the_form_date_field_takes_what_the_hint_says(app, folk, sessions):
    # "para:2027-01-10" is how the help writes a date: typed into the field, it is one.
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "facturacion", "description": "cerrar el ejercicio", "customer": "", "priority": "normal",
        "due": "para:2027-01-10"})
    assert reply.message.text.startswith("Creado PED-1"), reply
    [request] = await requests(sessions)
    assert request.due_date == date(2027, 1, 10)


async def test_the_form_date_field_reads_words_and_says_how_when_it_cannot(app, folk, sessions):
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "facturacion", "description": "x", "priority": "normal", "due": "el 31 de febrero"})
    assert reply.errors == {"due": "No entiendo la fecha «el 31 de febrero». Escribe, por ejemplo, 2027-01-10, "
                                   "15 de diciembre, viernes, mañana o en 2 semanas."}
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "facturacion", "description": "x", "priority": "normal", "due": "en 2 semanas"})
    assert not reply.errors
    assert (await requests(sessions))[0].due_date == date(2026, 12, 9)


# ---------------------------------------------------------------- each person's own time


async def test_someone_in_another_zone_reads_their_own_time_with_its_name(app, folk, sessions, clock):
    # Carlos works from Mexico City (UTC-6); Sistemas from Madrid (UTC+1).
    reply = await app.command(folk[CARLOS], "/pedir", "@sistemas la VPN se cae !alta")
    assert reply.message.text == (
        "Creado PED-1 para Sistemas. Primera respuesta antes de mié 25 nov, 04:00 (hora de Ciudad de México)")
    channel = await deliver(sessions, clock)
    team_card = next(call.message for call in channel.calls if call.address == "team:sistemas")
    own_card = next(call.message for call in channel.calls if call.address == "person:carlos.navarro@example.com")
    assert "antes de mié 25 nov, 11:00 ·" in team_card.context and "hora de" not in team_card.context
    assert "antes de mié 25 nov, 04:00 (hora de Ciudad de México)" in own_card.context
    # His list, and the request's page, speak his time too.
    mine = await app.command(folk[CARLOS], "/pedir", "mis")
    assert "04:00 (hora de Ciudad de México)" in mine.message.text
    page = await app.command(folk[CARLOS], "/pedir", "ver PED-1")
    assert "03:00 (hora de Ciudad de México) · Carlos Navarro Romero creó el pedido" in page.message.text


async def test_someone_in_the_team_zone_sees_no_zone(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@sistemas la VPN se cae !alta")
    assert reply.message.text == "Creado PED-1 para Sistemas. Primera respuesta antes de mié 25 nov, 11:00"


# ---------------------------------------------------------------- history


async def test_the_history_shows_a_rating_as_stars(app, folk, sessions):
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #acme")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    await app.command(folk[ANA], "/pedir", "valorar PED-1 4 rápido y claro")
    page = await app.command(folk[ANA], "/pedir", "ver PED-1")
    assert "Ana García Ruiz lo valoró: ★★★★☆ — rápido y claro" in page.message.text


# ---------------------------------------------------------------- the paused clock, end to end


async def test_a_short_wait_for_the_requester_moves_the_deadline_by_exactly_that(app, folk, sessions, clock):
    clock.set(datetime(2026, 11, 25, 10, 0, 20, tzinfo=MADRID))
    await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #acme !alta")
    due = (await requests(sessions))[0].resolution_due_at
    await app.command(folk[SARA], "/pedir", "info PED-1 ¿qué número de factura?")
    clock.advance(seconds=15)
    await app.command(folk[ANA], "/pedir", "comentar PED-1 la F-12")
    assert (await requests(sessions))[0].resolution_due_at == due + timedelta(seconds=15)


# ---------------------------------------------------------------- the date field's hint


def test_the_date_field_hint_is_in_the_readers_language_on_every_platform():
    teams = [Team(slug="legal", name="Legal")]
    for locale, hint in (("es", "2027-01-10, 15 de diciembre, viernes, mañana…"),
                         ("en", "2027-01-10, December 15, Friday, tomorrow…")):
        form = new_request(locale, teams)
        [due] = [block for block in modal_view(form, private_metadata="{}")["blocks"] if block["block_id"] == "due"]
        assert due["element"]["placeholder"]["text"] == hint
        [card_due] = [element for element in form_card(form)["body"] if element.get("id") == "due"]
        assert card_due["placeholder"] == hint
