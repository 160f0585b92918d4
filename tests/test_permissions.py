"""Who may do what, and bad input: a clear answer in the user's language, nothing stored.

Every refusal is checked twice: the text the user reads, and a snapshot of the database
(requests, events, outbox rows, drafts, ratings and PED-1's state) that must not move.
Runs on SQLite and PostgreSQL. PED-1 is Ana's request to Facturación (lead Marta,
member Sara); Pablo leads Sistemas and has nothing to do with it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import Pedir
from bot.messages import Reply
from bot.domains import REGISTRY
from storage.models import Draft, Outbox, Person, Request, RequestEvent, RequestRating
from tests.harness.support import chat_messages

ANA, SARA, MARTA, PABLO, JAMES = "ana.garcia", "sara.ruiz", "marta.lopez", "pablo.jimenez", "james.whitaker"
NOT_MEMBER = "Solo el equipo Facturación puede hacer eso con PED-1."
CLOSED = "PED-1 ya está cerrado. Si hace falta, quien lo pidió puede reabrirlo."
NOT_REQUESTER = "Solo quien pidió PED-1 puede hacer eso."
NOT_PARTY = "Solo el solicitante y el equipo Facturación participan en PED-1."
UNKNOWN = "No existe el pedido PED-99. Revisa el número o usa /pedir mis."


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
async def ped1(app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[ANA], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    assert reply.message.text.startswith("Creado PED-1")


@pytest.fixture
async def resolved(ped1, app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[SARA], "/pedir", "resolver PED-1 Hecho")
    assert reply.message.text == "PED-1 resuelto."


@pytest.fixture
async def rejected(ped1, app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[SARA], "/pedir", "rechazar PED-1 No es nuestro")
    assert reply.message.text == "PED-1 rechazado."


async def snapshot(sessions) -> dict[str, object]:  # noqa: ANN001
    """Row counts and PED-1's state: what a refused action must leave alone."""
    async with sessions() as session:
        counts = {
            model.__name__: (await session.exec(select(func.count()).select_from(model))).one()
            for model in (Request, RequestEvent, Outbox, Draft, RequestRating)
        }
        request = await session.get(Request, 1)
    if request is not None:
        counts["PED-1"] = request.model_dump()
    return counts


async def count(sessions, model) -> int:  # noqa: ANN001
    """Rows of a table; for the outbox, chat messages only (not home refreshes)."""
    query = select(func.count()).select_from(model)
    if model is Outbox:
        query = query.where(chat_messages())
    async with sessions() as session:
        return (await session.exec(query)).one()


async def run(app: Pedir, person: Person, how: str, *args) -> Reply:  # noqa: ANN002
    """One user step: ("command", text), ("action", id, value) or ("submit", id, context, values)."""
    if how == "command":
        return await app.command(person, "/pedir", *args)
    if how == "action":
        return await app.action(person, *args)
    return await app.submit(person, *args)


# ---------------------------------------------------------------- only the team works on a request

TEAM_STEPS = {
    "claim": ("command", "tomar PED-1"),
    "claim button": ("action", "request.claim", "1"),
    "resolve": ("command", "resolver PED-1 Hecho"),
    "resolve form": ("submit", "request.resolve", "1", {"note": ""}),
    "reject": ("command", "rechazar PED-1 No"),
    "reject form": ("submit", "request.reject", "1", {"reason": "No"}),
    "reassign": ("command", "reasignar PED-1 @sistemas Es mío"),
    "reassign form": ("submit", "request.reassign", "1", {"team": "sistemas", "reason": "Es mío"}),
    "ask": ("command", "info PED-1 ¿Qué factura?"),
    "ask form": ("submit", "request.ask_info", "1", {"question": "¿Qué factura?"}),
}


@pytest.mark.parametrize("step", TEAM_STEPS.values(), ids=TEAM_STEPS.keys())
async def test_a_non_member_cannot_work_on_the_request(ped1, app, folk, sessions, step):
    before = await snapshot(sessions)
    reply = await run(app, folk[PABLO], *step)
    assert reply.message.text == NOT_MEMBER
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("step", [TEAM_STEPS["claim"], TEAM_STEPS["resolve"], TEAM_STEPS["reassign"]],
                         ids=["claim", "resolve", "reassign"])
async def test_the_requester_cannot_work_on_her_own_request(ped1, app, folk, sessions, step):
    before = await snapshot(sessions)
    reply = await run(app, folk[ANA], *step)
    assert reply.message.text == NOT_MEMBER
    assert await snapshot(sessions) == before


async def test_a_non_member_is_refused_in_english_when_english_speaking(ped1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[JAMES], "/request", "resolve PED-1 done")
    assert reply.message.text == "Only the Facturación team can do that with PED-1."
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- only the lead assigns


@pytest.mark.parametrize("who", [SARA, PABLO, ANA])
async def test_only_the_lead_assigns(ped1, app, folk, sessions, who):
    before = await snapshot(sessions)
    reply = await app.submit(folk[who], "request.assign", "1", {"person": str(folk[SARA].id)})
    assert reply.message.text == "Solo la persona responsable de Facturación puede asignar PED-1."
    reply = await app.command(folk[who], "/pedir", "asignar PED-1 @sara.ruiz")
    assert reply.message.text == "Solo la persona responsable de Facturación puede asignar PED-1."
    assert await snapshot(sessions) == before


async def test_the_lead_may_assign_by_command(ped1, app, folk, sessions):
    reply = await app.command(folk[MARTA], "/pedir", "asignar PED-1 @sara.ruiz")
    assert reply.message.text == "PED-1 asignado a Sara Ruiz Moreno."


# ---------------------------------------------------------------- only the requester reopens and rates


@pytest.mark.parametrize("who", [SARA, MARTA, PABLO])
async def test_only_the_requester_reopens(resolved, app, folk, sessions, who):
    before = await snapshot(sessions)
    assert (await app.action(folk[who], "request.reopen", "1")).message.text == NOT_REQUESTER
    assert (await app.command(folk[who], "/pedir", "reabrir PED-1")).message.text == NOT_REQUESTER
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("who", [SARA, MARTA, PABLO])
async def test_only_the_requester_rates(resolved, app, folk, sessions, who):
    before = await snapshot(sessions)
    assert (await app.action(folk[who], "request.rate", "1:1")).message.text == NOT_REQUESTER
    assert (await app.command(folk[who], "/pedir", "valorar PED-1 1")).message.text == NOT_REQUESTER
    reply = await app.submit(folk[who], "request.rate_comment", "1", {"comment": "Fatal"})
    assert reply.message.text == NOT_REQUESTER
    assert await snapshot(sessions) == before


async def test_a_rating_comment_needs_a_rating_first(resolved, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.submit(folk[ANA], "request.rate_comment", "1", {"comment": "Muy bien"})
    assert reply.message.text == "Primero valora PED-1 de 1 a 5."
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("value", ["1:0", "1:6", "1:x", "1"])
async def test_a_rating_outside_one_to_five_is_refused(resolved, app, folk, sessions, value):
    before = await snapshot(sessions)
    reply = await app.action(folk[ANA], "request.rate", value)
    assert reply.message.text == "La valoración va de 1 a 5."
    assert await snapshot(sessions) == before


async def test_an_open_request_cannot_be_rated_or_reopened(ped1, app, folk, sessions):
    before = await snapshot(sessions)
    assert (await app.action(folk[ANA], "request.rate", "1:5")).message.text == "PED-1 no está resuelto."
    assert (await app.action(folk[ANA], "request.reopen", "1")).message.text == (
        "PED-1 sigue abierto: no hace falta reabrirlo. Para añadir algo, coméntalo: /pedir comentar PED-1 …")
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- only the parties see and talk


async def test_a_non_party_cannot_view(ped1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[PABLO], "/pedir", "ver PED-1")
    assert reply.message.text == NOT_PARTY
    assert reply.message.fields == []  # nothing of the request leaks
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(
    "step",
    [("command", "comentar PED-1 ¿Cómo va esto?"), ("submit", "request.comment", "1", {"comment": "¿Cómo va?"})],
    ids=["command", "form"],
)
async def test_a_non_party_cannot_comment(ped1, app, folk, sessions, step):
    before = await snapshot(sessions)
    reply = await run(app, folk[PABLO], *step)
    assert reply.message.text == NOT_PARTY
    assert await snapshot(sessions) == before


async def test_a_non_member_cannot_see_a_teams_queue(ped1, app, folk, sessions):
    reply = await app.command(folk[PABLO], "/pedir", "cola @facturacion")
    assert reply.message.text == (
        "Solo los miembros de Facturación ven su cola. Usa /equipo @facturacion para ver su ficha."
    )


# ---------------------------------------------------------------- closed requests

CLOSED_STEPS = {
    "claim": (MARTA, ("action", "request.claim", "1")),
    "resolve": (SARA, ("command", "resolver PED-1 Otra vez")),
    "reject": (SARA, ("command", "rechazar PED-1 No")),
    "ask": (SARA, ("command", "info PED-1 ¿Y esto?")),
    "reassign": (SARA, ("command", "reasignar PED-1 @legal Es un contrato")),
    "team comment": (SARA, ("command", "comentar PED-1 Una cosa más")),
    "requester comment": (ANA, ("command", "comentar PED-1 Sigue mal")),
    "assign": (MARTA, ("command", "asignar PED-1 @sara.ruiz")),
}


@pytest.mark.parametrize("who_step", CLOSED_STEPS.values(), ids=CLOSED_STEPS.keys())
async def test_acting_on_a_resolved_request_is_refused(resolved, app, folk, sessions, who_step):
    who, step = who_step
    before = await snapshot(sessions)
    reply = await run(app, folk[who], *step)
    assert reply.message.text == CLOSED
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("who_step", [CLOSED_STEPS["claim"], CLOSED_STEPS["resolve"], CLOSED_STEPS["requester comment"]],
                         ids=["claim", "resolve", "requester comment"])
async def test_acting_on_a_rejected_request_is_refused(rejected, app, folk, sessions, who_step):
    who, step = who_step
    before = await snapshot(sessions)
    reply = await run(app, folk[who], *step)
    assert reply.message.text == CLOSED
    assert await snapshot(sessions) == before


async def test_a_rejected_request_cannot_be_reopened_or_rated(rejected, app, folk, sessions):
    before = await snapshot(sessions)
    # Said as what it is, not "PED-1 no está resuelto".
    assert (await app.action(folk[ANA], "request.reopen", "1")).message.text == (
        "PED-1 fue rechazado y un pedido rechazado no se reabre. Si aún lo necesitas, crea uno nuevo y menciona PED-1.")
    assert (await app.action(folk[ANA], "request.rate", "1:5")).message.text == "PED-1 no está resuelto."
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- unknown and malformed request ids

UNKNOWN_STEPS = {
    "claim": ("command", "tomar PED-99"),
    "view": ("command", "ver PED-99"),
    "comment": ("command", "comentar PED-99 hola"),
    "claim button": ("action", "request.claim", "99"),
    "resolve button": ("action", "request.resolve", "99"),
    "assign button": ("action", "request.assign", "99"),
    "reassign button": ("action", "request.reassign", "99"),
    "reject form": ("submit", "request.reject", "99", {"reason": "No"}),
}


@pytest.mark.parametrize("step", UNKNOWN_STEPS.values(), ids=UNKNOWN_STEPS.keys())
async def test_an_unknown_request_id_is_named_in_the_answer(ped1, app, folk, sessions, step):
    before = await snapshot(sessions)
    reply = await run(app, folk[SARA], *step)
    assert reply.form is None
    assert reply.message.text == UNKNOWN
    assert await snapshot(sessions) == before


async def test_a_malformed_request_id_explains_the_format(ped1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[SARA], "/pedir", "tomar PED-uno")
    assert reply.message.text == "No entiendo el número de pedido «PED-uno». Usa el formato PED-12."
    reply = await app.action(folk[SARA], "request.claim", "uno")
    assert reply.message.text == "No entiendo el número de pedido «uno». Usa el formato PED-12."
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("value", ["0", "-1", "99999999999", "²"])
async def test_a_button_value_that_cannot_be_a_request_id_is_refused(ped1, app, folk, sessions, value):
    # Past the database's INTEGER, PostgreSQL would fail the query itself.
    before = await snapshot(sessions)
    reply = await app.action(folk[SARA], "request.claim", value)
    assert reply.message.text == f"No entiendo el número de pedido «{value}». Usa el formato PED-12."
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("person_id", ["9999", "99999999999"])
async def test_assigning_a_person_who_does_not_exist_is_a_field_error(ped1, app, folk, sessions, person_id):
    before = await snapshot(sessions)
    reply = await app.submit(folk[MARTA], "request.assign", "1", {"person": person_id})
    assert reply.errors == {"person": f"No encuentro a «{person_id}». Indica su email."}
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- naming the team


async def test_a_near_miss_team_asks_did_you_mean_and_stores_no_request(app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/pedir", "@factura corregir la factura de #ACME")
    assert reply.message.text == "No encuentro el equipo «@factura». ¿Quisiste decir @facturacion?"
    assert [action.id for action in reply.message.actions] == ["route.pick"]
    assert reply.message.actions[0].label == "@facturacion · Facturación"
    after = await snapshot(sessions)
    assert (after["Request"], after["Outbox"]) == (before["Request"], before["Outbox"])


async def test_sistema_suggests_sistemas(app, folk):
    reply = await app.command(folk[ANA], "/pedir", "@sistema no me va el correo")
    assert reply.message.text.startswith("No encuentro el equipo «@sistema». ¿Quisiste decir @sistemas")
    assert REGISTRY.context("route.pick", reply.message.actions[0].value).arg == "sistemas"


async def test_picking_the_suggested_team_creates_the_request_from_the_draft(app, folk, sessions):
    ana = folk[ANA]
    reply = await app.command(ana, "/pedir", "@factura corregir la factura de #ACME !alta para:viernes")
    [choice] = reply.message.actions
    reply = await app.action(ana, choice.id, choice.value)
    assert reply.message.text.startswith("Creado PED-1 para Facturación.")
    async with sessions() as session:
        request = await session.get(Request, 1)
    assert request.description == "corregir la factura de #ACME"
    assert (request.customer, request.priority, request.due_date) == ("ACME", "high", date(2026, 11, 27))
    assert await count(sessions, Draft) == 0
    assert await count(sessions, Outbox) == 2  # the two cards
    # The choice works once.
    reply = await app.action(ana, choice.id, choice.value)
    assert reply.message.text == "Esa elección ya no está disponible. Vuelve a escribir el pedido, por favor."
    assert await count(sessions, Request) == 1


async def test_someone_elses_draft_cannot_be_picked(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@factura corregir la factura")
    [choice] = reply.message.actions
    reply = await app.action(folk[PABLO], choice.id, choice.value)
    assert reply.message.text == "Esa elección ya no está disponible. Vuelve a escribir el pedido, por favor."
    assert await count(sessions, Request) == 0


async def test_a_nonsense_team_offers_every_team(app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/pedir", "@xyzzy corregir la factura")
    assert reply.message.text == (
        "No encuentro el equipo «@xyzzy». Elige uno de la lista (o usa /equipos para verlos todos):"
    )
    assert sorted(REGISTRY.context(action.id, action.value).arg for action in reply.message.actions) == [
        "facturacion", "legal", "rrhh", "sistemas", "soporte", "ventas",
    ]
    after = await snapshot(sessions)
    assert (after["Request"], after["Outbox"]) == (before["Request"], before["Outbox"])


async def test_no_team_suggests_teams_by_keywords(app, folk, sessions):
    ana = folk[ANA]
    reply = await app.command(ana, "/pedir", "la VPN no funciona")
    assert reply.message.text == "No has indicado equipo. Por lo que cuentas, puede ser para:"
    picks = [REGISTRY.context(action.id, action.value).arg for action in reply.message.actions]
    assert picks[0] == "sistemas"
    assert await count(sessions, Request) == 0
    reply = await app.action(ana, "route.pick", reply.message.actions[0].value)
    assert reply.message.text.startswith("Creado PED-1 para Sistemas.")


async def test_no_team_and_no_keywords_asks_which_team(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "necesito una mano con una cosa")
    assert reply.message.text == "¿A qué equipo se lo pides?"
    assert len(reply.message.actions) == 6
    assert await count(sessions, Request) == 0


async def test_reassigning_to_a_team_that_does_not_exist_lists_the_teams(ped1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[SARA], "/pedir", "reasignar PED-1 @xyzzy No es nuestro")
    assert reply.message.text == (
        "No encuentro el equipo «xyzzy». Los equipos son: "
        "@facturacion, @legal, @rrhh, @sistemas, @soporte, @ventas."
    )
    reply = await app.command(folk[SARA], "/pedir", "reasignar PED-1 @sistema No es nuestro")
    assert reply.message.text == "No encuentro el equipo «sistema». ¿Quisiste decir @sistemas?"
    assert await snapshot(sessions) == before


async def test_an_english_speaker_gets_the_team_question_in_english(app, folk):
    reply = await app.command(folk[JAMES], "/request", "@billin fix the invoice")
    assert reply.message.text == "I can't find the team “@billin”. Did you mean @facturacion?"
    reply = await app.command(folk[JAMES], "/request", "the VPN is down again")
    assert reply.message.text == "You didn't name a team. From what you wrote, it may be for:"


# ---------------------------------------------------------------- bad request text

BAD_INPUT = {
    "empty description": (
        "@facturacion", "Falta la descripción. Escribe qué necesitas, por ejemplo: "
        "/pedir @facturacion corregir la factura de #ACME"),
    "only flags": (
        "@facturacion !alta para:mañana", "Falta la descripción. Escribe qué necesitas, por ejemplo: "
        "/pedir @facturacion corregir la factura de #ACME"),
    "too long": (
        "@facturacion " + "x" * 3001,
        "El texto tiene 3001 caracteres y el máximo es 3000. Resúmelo o adjunta un enlace."),
    "date in the past": (
        "@facturacion corregir la factura para:2026-11-24",
        "La fecha 2026-11-24 ya ha pasado. Indica una fecha de hoy en adelante."),
    "past day and month": (
        "@facturacion corregir la factura para:24/11/2026",
        "La fecha 24/11/2026 ya ha pasado. Indica una fecha de hoy en adelante."),
    "unparseable date": (
        "@facturacion corregir la factura para:ayer",
        "No entiendo la fecha «ayer». Usa para:AAAA-MM-DD, para:viernes o para:mañana."),
    "impossible date": (
        "@facturacion corregir la factura para:31/02/2027",
        "No entiendo la fecha «31/02/2027». Usa para:AAAA-MM-DD, para:viernes o para:mañana."),
}


@pytest.mark.parametrize(("text", "answer"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
async def test_bad_request_text_is_explained_and_nothing_is_stored(app, folk, sessions, text, answer):
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/pedir", text)
    assert reply.message.text == answer
    assert await snapshot(sessions) == before


BAD_INPUT_EN = {
    "empty description": (
        "@facturacion !high", "The description is missing. Say what you need, e.g.: /pedir @facturacion fix the #ACME invoice"),
    "too long": (
        "@facturacion " + "x" * 3001, "The text has 3001 characters and the limit is 3000. Shorten it or add a link."),
    "date in the past": (
        "@facturacion fix it due:2026-11-24", "The date 2026-11-24 is in the past. Give today or a later date."),
    "unparseable date": (
        "@facturacion fix it due:someday",
        "I don't understand the date “someday”. Use due:YYYY-MM-DD, due:friday or due:tomorrow."),
}


@pytest.mark.parametrize(("text", "answer"), BAD_INPUT_EN.values(), ids=BAD_INPUT_EN.keys())
async def test_bad_request_text_is_explained_in_english(app, folk, sessions, text, answer):
    before = await snapshot(sessions)
    reply = await app.command(folk[JAMES], "/request", text)
    assert reply.message.text == answer
    assert await snapshot(sessions) == before


async def test_a_description_of_exactly_3000_characters_is_accepted(app, folk, sessions):
    reply = await app.command(folk[ANA], "/pedir", "@facturacion " + "x" * 3000)
    assert reply.message.text.startswith("Creado PED-1")
    assert await count(sessions, Request) == 1


# ---------------------------------------------------------------- the /pedir form


async def test_an_empty_pedir_opens_the_request_form(app, folk):
    reply = await app.command(folk[ANA], "/pedir", "")
    form = reply.form
    assert form is not None and reply.message is None
    assert form.id == "request.new"
    assert [f.name for f in form.fields] == ["team", "description", "customer", "priority", "due"]
    teams = dict(form.fields[0].choices)
    assert teams["facturacion"] == "Facturación" and len(teams) == 6
    assert [value for value, _ in form.fields[3].choices] == ["urgent", "high", "normal", "low"]


async def test_the_form_in_english_for_an_english_speaker(app, folk):
    form = (await app.command(folk[JAMES], "/request", "")).form
    assert form.title == "New request"
    assert [f.label for f in form.fields][:2] == ["Team", "Description"]


async def test_a_form_with_errors_returns_them_per_field_and_stores_nothing(app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "", "description": "   ", "customer": "", "priority": "altisima", "due": "ayer",
    })
    assert reply.message is None
    assert reply.errors == {
        "team": "Elige un equipo.",
        "description": "Falta la descripción. Escribe qué necesitas, por ejemplo: "
                       "/pedir @facturacion corregir la factura de #ACME",
        "priority": "Prioridad «altisima» desconocida: usa !urgente, !alta, !normal o !baja.",
        "due": "No entiendo la fecha «ayer». Escribe, por ejemplo, 2027-01-10, 15 de diciembre, viernes, mañana "
               "o en 2 semanas.",
    }
    assert await snapshot(sessions) == before


async def test_form_errors_for_an_unknown_team_a_long_text_and_a_past_date(app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "factura", "description": "x" * 3001, "priority": "normal", "due": "2026-11-24",
    })
    assert reply.errors == {
        "team": "No encuentro el equipo «factura». ¿Quisiste decir @facturacion?",
        "description": "El texto tiene 3001 caracteres y el máximo es 3000. Resúmelo o adjunta un enlace.",
        "due": "La fecha 2026-11-24 ya ha pasado. Indica una fecha de hoy en adelante.",
    }
    assert await snapshot(sessions) == before


async def test_form_errors_in_english(app, folk, sessions):
    reply = await app.submit(folk[JAMES], "request.new", "", {"team": "", "description": "", "due": "someday"})
    assert reply.errors == {
        "team": "Choose a team.",
        "description": "The description is missing. Say what you need, e.g.: /pedir @facturacion fix the #ACME invoice",
        "due": "I don't understand the date “someday”. Write, for example, 2027-01-10, December 15, Friday, "
               "tomorrow or in 2 weeks.",
    }
    assert await count(sessions, Request) == 0


async def test_a_valid_form_creates_the_request(app, folk, sessions):
    reply = await app.submit(folk[ANA], "request.new", "", {
        "team": "facturacion", "description": "Corregir la factura F-118", "customer": "#ACME",
        "priority": "high", "due": "2026-11-27",
    })
    assert not reply.errors
    assert reply.message.text == "Creado PED-1 para Facturación. Primera respuesta antes de mié 25 nov, 14:00"
    async with sessions() as session:
        request = await session.get(Request, 1)
    assert request.description == "Corregir la factura F-118"
    assert (request.customer, request.priority, request.due_date) == ("ACME", "high", date(2026, 11, 27))
    assert await count(sessions, Outbox) == 2
