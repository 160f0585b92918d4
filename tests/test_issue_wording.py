"""How /incidencia speaks about what it could not find, and in whose time:
a name that is neither a team nor a person is not called a person, and a
follower elsewhere reads the issue's times in their own zone.

The demo organisation; INC-1 is Lucía's (Soporte, Madrid) SEV2 issue for ACME.
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from bot.delivery.dispatcher import Dispatcher
from tests.harness.issue_support import snapshot
from tests.harness.support import RecordingChannel

ANA, LUCIA, CARLOS = "ana.garcia", "lucia.hernandez", "carlos.navarro"


@pytest.fixture
async def inc1(app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    assert reply.message.text.startswith("Abierta INC-1")


async def test_adding_a_team_that_does_not_exist_says_so_not_a_person(inc1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/incidencia", "añadir INC-1 @marketing")
    assert reply.refused
    assert reply.message.text == (
        "No encuentro «@marketing» ni como equipo ni como persona. Los equipos son: @facturacion, @legal, "
        "@rrhh, @sistemas, @soporte, @ventas. A una persona, por su email o su usuario (ana.garcia).")
    assert await snapshot(sessions) == before


async def test_a_near_miss_team_is_suggested(inc1, app, folk):
    reply = await app.command(folk[ANA], "/incidencia", "añadir INC-1 @factura")
    assert reply.message.text == "No encuentro «@factura» ni como equipo ni como persona. ¿Quisiste decir @facturacion?"
    reply = await app.command(folk["james.whitaker"], "/incidencia", "add INC-1 @factura")
    assert reply.message.text == "I can't find “@factura” as a team or as a person. Did you mean @facturacion?"


async def test_a_handle_or_an_email_is_a_person(inc1, app, folk):
    reply = await app.command(folk[ANA], "/incidencia", "añadir INC-1 nadie.existe")
    assert reply.message.text.startswith("No encuentro a «nadie.existe»: usa @equipo")


async def test_a_follower_in_another_zone_reads_the_card_in_their_time(inc1, app, folk, sessions, clock):
    await app.command(folk[ANA], "/incidencia", "añadir INC-1 carlos.navarro")
    channel = RecordingChannel()
    await Dispatcher(sessions, [channel], clock).drain()
    mine = [call.message for call in channel.calls if call.address == "person:carlos.navarro@example.com"]
    team = [call.message for call in channel.calls if call.address == "team:soporte"]
    # SEV2 asks for an update every 2 business hours: 12:00 in Madrid, 05:00 in Mexico City.
    assert any("05:00 (hora de Ciudad de México)" in (message.context or "") for message in mine)
    assert any("12:00" in (message.context or "") and "hora de" not in message.context for message in team)


async def test_an_issue_opened_from_another_zone_says_when_the_update_is_due_in_the_openers_time(app, folk):
    reply = await app.command(folk[CARLOS], "/incidencia", "nueva #acme sev2 @soporte Los albaranes no se sincronizan")
    assert reply.message.text.startswith("Abierta INC-1")
    # SEV2: an update every 2 business hours, 12:00 in Madrid where Soporte works.
    assert "05:00 (hora de Ciudad de México)" in reply.message.text
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 @soporte Otra cosa")
    assert "12:00" in reply.message.text and "hora de" not in reply.message.text
