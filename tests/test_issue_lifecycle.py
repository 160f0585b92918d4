"""Customer issues after they open: monitor, close, reopen, severity; who may do it;
lists, /incidencia ver, home pages and English replies.

Runs on SQLite and PostgreSQL. INC-1 is ACME's SEV2 issue opened by Lucía for
Soporte (lead Javier, members Lucía and Carlos); Elena is ACME's account manager.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from bot.issues import flows
from bot.domains import REGISTRY
from storage.models import Person, StatusUpdate
from tests.harness.support import slow_down
from tests.harness.issue_support import (
    ANA, CARLOS, ELENA, JAMES, JAVIER, LUCIA, PABLO, action_ids, field, issue, last_outbox_id,
    outbox, plain, recipients, rows, snapshot,
)

TITLE = "La API de pedidos devuelve errores 500"


@pytest.fixture
async def inc1(app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[LUCIA], "/incidencia", f"nueva #acme sev2 {TITLE}")
    assert reply.message.text.startswith("Abierta INC-1")


async def kinds(sessions) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(u.kind, u.text) for u in await rows(sessions, StatusUpdate)]


# ---------------------------------------------------------------- transitions


async def test_monitor_records_an_update_and_tells_followers(inc1, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await app.command(folk[CARLOS], "/incidencia", "vigilar INC-1 parche desplegado, observamos")
    assert reply.message.text == "INC-1 pasa a vigilancia; avisados 3 chats."
    assert (await issue(sessions)).state == "monitoring"
    assert (await issue(sessions)).next_update_due is not None  # still owes updates
    assert await kinds(sessions) == [("monitoring", "parche desplegado, observamos")]
    news = await outbox(sessions, after=mark, key="status:1")
    assert sorted(await recipients(sessions, news)) == sorted([LUCIA, ELENA, "team:soporte"])
    assert news[0].payload["title"] == "INC-1 · ACME Logística S.L.: en vigilancia"
    again = await app.command(folk[CARLOS], "/incidencia", "vigilar INC-1")
    assert again.refused and again.message.text == "INC-1 ya está en vigilancia."
    assert len(await kinds(sessions)) == 1


async def test_close_clears_the_due_time_and_refuses_what_needs_an_open_issue(inc1, app, folk, sessions, clock):
    mark = await last_outbox_id(sessions)
    reply = await app.command(folk[JAVIER], "/incidencia", "cerrar INC-1 causa corregida")
    assert reply.message.text == "INC-1 cerrada; avisados 3 chats."
    closed = await issue(sessions)
    assert (closed.state, closed.closed_at, closed.next_update_due) == ("closed", clock.now(), None)
    assert await kinds(sessions) == [("closed", "causa corregida")]
    # The owner team's card loses its buttons; everyone hears it closed.
    cards = await outbox(sessions, after=mark, key="issue:1")
    assert all(action_ids(row) == [] for row in cards)
    assert all(row.payload["context"].startswith("Cerrada el") for row in cards)
    before = await snapshot(sessions)
    for command, text in (("/estado", "INC-1 más cosas"), ("/incidencia", "cerrar INC-1"),
                          ("/incidencia", "vigilar INC-1"), ("/incidencia", "severidad INC-1 sev1"),
                          ("/incidencia", "añadir INC-1 ana.garcia")):
        refused = await app.command(folk[JAVIER], command, text)
        assert refused.refused, text
        assert refused.message.text.startswith("INC-1 está cerrada."), text
    assert await snapshot(sessions) == before


async def test_close_without_a_note_keeps_the_last_real_status_on_the_card(inc1, app, folk, sessions):
    await app.command(folk[LUCIA], "/estado", "INC-1 parche desplegado")
    mark = await last_outbox_id(sessions)
    await app.submit(folk[LUCIA], "issue.close", "1", {"note": ""})
    assert (await issue(sessions)).state == "closed"
    assert await kinds(sessions) == [("status", "parche desplegado"), ("closed", "")]
    cards = await outbox(sessions, after=mark, key="issue:1")
    assert cards and all("parche desplegado" in row.payload["text"] for row in cards)


async def test_reopen_restarts_the_cadence(inc1, app, folk, sessions, clock):
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-1")
    clock.advance(hours=1)
    reply = await app.command(folk[CARLOS], "/incidencia", "reabrir INC-1")
    assert reply.message.text == "INC-1 reabierta; avisados 3 chats."
    reopened = await issue(sessions)
    assert (reopened.state, reopened.closed_at) == ("open", None)
    assert reopened.next_update_due is not None and reopened.next_update_due > clock.now()
    assert [k for k, _ in await kinds(sessions)] == ["closed", "reopened"]
    [owner_card] = [r for r in await outbox(sessions, key="issue:1") if r.recipient_kind == "team"][-1:]
    assert action_ids(owner_card) == ["issue.post_status", "issue.close"]  # the buttons are back
    again = await app.command(folk[CARLOS], "/incidencia", "reabrir INC-1")
    assert again.refused and again.message.text == "INC-1 ya está abierta."


async def test_reopen_from_monitoring(inc1, app, folk, sessions):
    await app.command(folk[CARLOS], "/incidencia", "vigilar INC-1")
    reply = await app.command(folk[CARLOS], "/incidencia", "reabrir INC-1")
    assert not reply.refused
    assert (await issue(sessions)).state == "open"


async def test_severity_change(inc1, app, folk, sessions):
    reply = await app.command(folk[LUCIA], "/incidencia", "severidad INC-1 sev1")
    assert reply.message.text == "Severidad de INC-1 cambiada; avisados 2 chats."
    assert (await issue(sessions)).severity == "sev1"
    assert await kinds(sessions) == [("severity", "SEV2 → SEV1")]
    same = await app.command(folk[LUCIA], "/incidencia", "severidad INC-1 sev1")
    assert same.refused and same.message.text == "INC-1 ya es SEV1."
    bad = await app.command(folk[LUCIA], "/incidencia", "severidad INC-1 sev9")
    assert bad.refused and bad.message.text.startswith("«sev9» no es una severidad")
    assert len(await kinds(sessions)) == 1


async def test_unknown_issue(app, folk, sessions):
    for command, text in (("/estado", "INC-9 algo"), ("/incidencia", "ver INC-9"),
                          ("/incidencia", "cerrar INC-9"), ("/incidencia", "añadir INC-9 ana.garcia")):
        reply = await app.command(folk[LUCIA], command, text)
        assert reply.refused
        assert reply.message.text == "No existe la incidencia INC-9. Revisa el número o usa /incidencias."


async def test_a_bad_issue_number_on_a_button_or_form_names_the_issue_format(inc1, app, folk, sessions):
    before = await snapshot(sessions)
    for reply in (await app.action(folk[LUCIA], "issue.post_status", "x"),
                  await app.action(folk[LUCIA], "issue.follow", "0"),
                  await app.submit(folk[LUCIA], "issue.post_status", "x", {"update": "hola"})):
        assert reply.refused
        assert reply.message.text.startswith("No entiendo el número de incidencia")
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- permissions


OWNER_ONLY = [
    ("/estado", "INC-1 ya está arreglado"),
    ("/incidencia", "cerrar INC-1 resuelto"),
    ("/incidencia", "vigilar INC-1"),
    ("/incidencia", "severidad INC-1 sev1"),
]


@pytest.mark.parametrize("who", [ELENA, ANA])
@pytest.mark.parametrize(("command", "text"), OWNER_ONLY)
async def test_only_the_owner_team_acts_on_an_issue(inc1, app, folk, sessions, who, command, text):
    before = await snapshot(sessions)
    reply = await app.command(folk[who], command, text)
    assert reply.refused
    assert reply.message.text == (
        "Solo el equipo Soporte publica el estado de INC-1 o la cierra. Puedes seguirla con /incidencia seguir INC-1."
    )
    assert await snapshot(sessions) == before


async def test_only_the_owner_team_reopens(inc1, app, folk, sessions):
    await app.command(folk[LUCIA], "/incidencia", "cerrar INC-1")
    before = await snapshot(sessions)
    reply = await app.command(folk[ELENA], "/incidencia", "reabrir INC-1")
    assert reply.refused and reply.message.text.startswith("Solo el equipo Soporte")
    submitted = await app.submit(folk[ELENA], "issue.post_status", "1", {"update": "hola"})
    assert submitted.refused
    assert await snapshot(sessions) == before


@pytest.mark.parametrize("who", [JAVIER, CARLOS])  # the lead and a member
@pytest.mark.parametrize(("command", "text"), OWNER_ONLY)
async def test_lead_and_members_of_the_owner_team_may(inc1, app, folk, sessions, who, command, text):
    reply = await app.command(folk[who], command, text)
    assert not reply.refused, reply.message.text
    [update_] = await rows(sessions, StatusUpdate)
    assert update_.author_id == folk[who].id


async def test_first_status_from_the_team_takes_ownership(app, folk, sessions):
    await app.command(folk[ANA], "/incidencia", "nueva #acme sev2 @soporte la web no carga")
    assert (await issue(sessions)).owner_id is None
    await app.command(folk[CARLOS], "/estado", "INC-1 lo miro yo")
    assert (await issue(sessions)).owner_id == folk[CARLOS].id
    await app.command(folk[JAVIER], "/estado", "INC-1 sigue Carlos")
    assert (await issue(sessions)).owner_id == folk[CARLOS].id


# ---------------------------------------------------------------- lists and the issue view


async def test_lists_of_open_issues(app, folk, sessions):
    empty = await app.command(folk[ANA], "/incidencias", "")
    assert empty.message.text == "No hay incidencias abiertas."
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 uno")
    await app.command(folk[LUCIA], "/incidencia", "nueva #globex sev1 dos")
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev3 tres")
    await app.command(folk[LUCIA], "/incidencia", "cerrar INC-3")
    everything = await app.command(folk[ANA], "/incidencias", "")
    assert everything.message.title == "Incidencias abiertas (2)"
    lines = [line for line in everything.message.text.splitlines() if line.startswith("INC-")]
    assert [line.split(" · ")[0] for line in lines] == ["INC-2", "INC-1"]  # the worst first
    assert lines[0].startswith("INC-2 · Globex Ibérica S.A. · SEV1 · Abierta · abierta hace")
    acme = await app.command(folk[ANA], "/incidencias", "#acme")
    assert acme.message.title == "Incidencias abiertas de ACME Logística S.L. (1)"
    assert [line.split(" · ")[0] for line in acme.message.text.splitlines() if line.startswith("INC-")] == ["INC-1"]
    none = await app.command(folk[ANA], "/incidencias", "#initech")
    assert none.message.text == "Initech Ltd no tiene incidencias abiertas."
    unknown = await app.command(folk[ANA], "/incidencias", "#acmee")
    assert unknown.refused and unknown.message.text.endswith("¿Quisiste decir #acme?")


async def test_view_shows_history_with_acks_followers_and_a_follow_button(inc1, app, folk, sessions, clock):
    clock.advance(minutes=20)
    await app.command(folk[LUCIA], "/estado", "INC-1 causa localizada")
    clock.advance(minutes=20)
    await app.command(folk[LUCIA], "/estado", "INC-1 parche en pruebas")
    await app.action(folk[ELENA], "status.ack", "1")
    await app.action(folk[CARLOS], "status.ack", "1")
    await app.action(folk[ELENA], "status.ack", "2")

    stranger = await app.command(folk[ANA], "/incidencia", "ver INC-1")
    card = stranger.message
    assert card.title == f"INC-1 · ACME Logística S.L. · SEV2 — {TITLE}"
    assert "*La siguen:* Lucía Hernández Díaz, Elena Torres Castillo, Soporte" in card.text
    history = card.text.split("*Actualizaciones*\n", 1)[1].splitlines()
    assert len(history) == 2
    assert history[0].endswith("Lucía Hernández Díaz · estado: causa localizada (entendido: 2)")
    assert history[1].endswith("Lucía Hernández Díaz · estado: parche en pruebas (entendido: 1)")
    assert [(a.id, REGISTRY.context(a.id, a.value).id) for a in card.actions] == [("issue.follow", 1)]
    assert field(card.model_dump(), "Responsable") == "Lucía Hernández Díaz"
    # Followers, in person or through their team, get no Follow button.
    for who in (ELENA, CARLOS):
        assert (await app.command(folk[who], "/incidencia", "ver INC-1")).message.actions == []
    # "/incidencia INC-1" alone is the same view; the button follows.
    assert (await app.command(folk[ANA], "/incidencia", "INC-1")).message.title == card.title
    pressed = await app.action(folk[ANA], "issue.follow", "1")
    assert pressed.message.text == "Ahora sigues INC-1: recibirás cada actualización."
    assert (await app.command(folk[ANA], "/incidencia", "ver INC-1")).message.actions == []


# ---------------------------------------------------------------- home page


async def test_home_lists_issues_followed_in_person_or_through_a_team(inc1, app, folk, sessions):
    await app.command(folk[JAVIER], "/incidencia", "nueva #globex sev1 @soporte facturas duplicadas")
    await app.command(folk[ANA], "/incidencia", "seguir INC-2")
    await app.command(folk[JAVIER], "/incidencia", "nueva #initech sev3 cerrada pronto")
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-3")

    def section(message) -> list[str]:  # noqa: ANN001
        text = message.text.split("*Incidencias que sigues", 1)
        return [] if len(text) == 1 else [l.split(" · ")[0] for l in text[1].splitlines()[1:] if l.startswith("INC-")]

    carlos = await app.home(folk[CARLOS])  # through Soporte
    assert "*Incidencias que sigues (2)*" in carlos.text
    assert section(carlos) == ["INC-2", "INC-1"]
    assert section(await app.home(folk[ANA])) == ["INC-2"]
    assert section(await app.home(folk[ELENA])) == ["INC-2", "INC-1"]  # account manager of both
    pablo = await app.home(folk[PABLO])
    assert "Incidencias que sigues" not in pablo.text


async def test_home_shows_times_in_the_persons_timezone(inc1, app, folk, sessions):
    # Carlos is in Mexico City: INC-1's next update (12:00 Madrid) is 05:00 there.
    carlos = await app.home(folk[CARLOS])
    assert "Próxima actualización antes de mié 25 nov, 05:00" in plain(carlos.text)
    assert "Próxima actualización antes de mié 25 nov, 12:00" in plain((await app.home(folk[JAVIER])).text)


# ---------------------------------------------------------------- English


async def test_english_speakers_get_english_replies_and_cards(app, folk, sessions):
    async with sessions() as session, session.begin():
        await session.exec(update(Person).where(Person.id == folk[LUCIA].id).values(locale="en"))
    lucia = (await rows(sessions, Person, Person.id == folk[LUCIA].id))[0]
    opened = await app.command(lucia, "/incidencia", "new #initech sev2 Login fails for all users")
    assert opened.message.text.startswith(
        "Opened INC-1 for Initech Ltd (SEV2, Soporte). Following: Lucía Hernández Díaz, James Whitaker, Soporte.")
    mark = await last_outbox_id(sessions)
    posted = await app.command(lucia, "/estado", "INC-1 Root cause found")
    assert posted.message.text == "Status posted on INC-1: sent to 2 chats. I'll tell you who confirms it."
    news = await outbox(sessions, after=mark, key="status:1")
    by_who = dict(zip(await recipients(sessions, news), news))
    assert by_who[JAMES].payload["title"] == "INC-1 · Initech Ltd: new status"  # James reads English
    assert by_who["team:soporte"].payload["title"] == "INC-1 · Initech Ltd: nuevo estado"  # the team, Spanish
    [receipt] = await outbox(sessions, after=mark, key="status:1:receipt")
    assert receipt.payload["title"] == "Your update on INC-1"
    acked = await app.action(folk[JAMES], "status.ack", "1")
    assert acked.message.text == "Thanks: INC-1 confirmed."
    refused = await app.command(folk[JAMES], "/estado", "INC-1 hello")
    assert refused.message.text == (
        "Only the Soporte team posts status on INC-1 or closes it. You can follow it with /incidencia follow INC-1.")
    listing = await app.command(folk[JAMES], "/issues", "")
    assert listing.message.title == "Open issues (1)"
    assert "INC-1 · Initech Ltd · SEV2 · Open · opened" in listing.message.text


@pytest.mark.parametrize("first", ["close", "status"])
async def test_close_and_status_at_the_same_moment_leave_a_consistent_issue(app, folk, sessions, monkeypatch, first):
    # Either the status lands first and the close after it, or the close wins and the
    # status is refused: never a status recorded after the close. A pause inside each
    # change makes the two transactions overlap every time.
    slow_down(monkeypatch, flows, "_record")
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 carrera")
    close = app.command(folk[JAVIER], "/incidencia", "cerrar INC-1")
    status = app.command(folk[CARLOS], "/estado", "INC-1 seguimos")
    if first == "close":
        closed, posted = await asyncio.gather(close, status)
    else:
        posted, closed = await asyncio.gather(status, close)
    assert not closed.refused, closed.message.text
    stored = await issue(sessions)
    assert (stored.state, stored.next_update_due) == ("closed", None)
    kinds_ = [u.kind for u in await rows(sessions, StatusUpdate)]
    if posted.refused:
        assert posted.message.text.startswith("INC-1 está cerrada."), posted.message.text
        assert kinds_ == ["closed"]
    else:
        assert kinds_ == ["status", "closed"]
