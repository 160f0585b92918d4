"""A team Pedir cannot reach yet on Teams: nobody is left guessing, nothing is lost.

Over the Bot Connector stand-in: the requester's answer warns at once, the
team's lead is told what to do (once), and when Pedir is added to the channel
the waiting card arrives there, once, as its latest version. `pedir org import`
names the intake channels Pedir has never been in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from storage import references
from storage.engine import create_engine, session_factory
from storage.models import Outbox, Team
from tests.harness import teams_wire as wire
from tests.harness.teams_env import (ANA_T, IRENE_T, PABLO_T, SISTEMAS_CHANNEL, fake_connector_running,  # noqa: F401
                                     teams)
from tests.harness.waiting import eventually

ROOT = Path(__file__).resolve().parents[1]
SARA_T = ("29:1sara", "aad-sara", "Sara Ruiz", "sara.ruiz@example.com")
FACTURACION_CHANNEL = "19:facturacion@thread.tacv2"
LEAD_TOLD = "no puede llegar a Sistemas"


def chat_of(who: tuple[str, str, str, str]) -> str:
    return f"a:personal-{who[0]}"


def sends(env, conversation: str, containing: str) -> list:  # noqa: ANN001
    """Answered sends into a conversation (a chat, or a channel and its threads) carrying this text."""
    return [call for call in env.connector.calls_to("send")
            if call.status and call.status < 300 and (call.conversation_id or "").startswith(conversation)
            and containing in str(call.json)]


async def outbox_idle(env) -> None:  # noqa: ANN001
    """Every message delivered or recorded: nothing pending or in flight."""
    async def idle() -> bool:
        async with env.sessions() as session:
            busy = Outbox.status.in_(("pending", "sending"))  # type: ignore[attr-defined]
            return (await session.exec(select(Outbox.id).where(busy))).first() is None
    await eventually(idle, "the outbox to be idle", timeout=20)


async def install(env, channel: str) -> None:  # noqa: ANN001
    """Pedir added to a team, seen first in `channel` (conversationUpdate, membersAdded = the bot)."""
    activity = wire.conversation_update_bot_added(scope="team", channel_id=channel,
                                                  service_url=env.connector.service_url)
    status, _ = await env.post(activity)
    assert status in (200, 201), status


async def say(env, who: tuple[str, str, str, str], text: str) -> dict:  # noqa: ANN001
    activity = env.personal(who, text)
    status, _ = await env.post(activity)
    assert status in (200, 201), status
    return activity


async def test_the_requester_is_warned_the_lead_told_once_and_the_card_arrives_once_installed(teams):  # noqa: F811
    await say(teams, PABLO_T, "pedir ayuda")  # Sistemas' lead has a chat with Pedir
    asked = await say(teams, ANA_T, "pedir @sistemas la VPN se corta cada hora")

    [answer] = await eventually(lambda: sends(teams, chat_of(ANA_T), "Creado PED-1"), "Ana's answer")
    said = str(answer.json)
    assert "Sistemas aún no puede recibirlo: Pedir todavía no está en su canal de Teams" in said
    assert "Hemos avisado a Pablo Jiménez" in said
    [notice] = await eventually(lambda: sends(teams, chat_of(PABLO_T), LEAD_TOLD), "the lead's notice")
    assert "PED-1 · Sistemas" in str(notice.json)
    assert "Añade la app Pedir al equipo en Teams" in str(notice.json)

    # Teams delivers the same activity again, and Irene takes the request while
    # the card still waits: a newer version, and still nobody is told twice.
    assert (await teams.post(asked))[0] in (200, 201)
    await say(teams, IRENE_T, "pedir tomar PED-1")
    await outbox_idle(teams)
    assert len(sends(teams, chat_of(PABLO_T), LEAD_TOLD)) == 1
    assert sends(teams, chat_of(ANA_T), "aún no ha llegado") == []
    assert len(sends(teams, chat_of(ANA_T), "Creado PED-1")) == 1
    assert sends(teams, SISTEMAS_CHANNEL, "PED-1") == []

    await install(teams, SISTEMAS_CHANNEL)
    await eventually(lambda: sends(teams, SISTEMAS_CHANNEL, "PED-1"), "the card in Sistemas' channel", timeout=10)
    await outbox_idle(teams)
    [card] = sends(teams, SISTEMAS_CHANNEL, "PED-1")
    assert "Irene Vázquez" in str(card.json) and "En curso" in str(card.json)  # the latest version
    assert [c for c in teams.connector.calls_to("update") if c.conversation_id.startswith(SISTEMAS_CHANNEL)] == []
    assert len(sends(teams, chat_of(PABLO_T), "Pedir ya está en el canal de Teams de Sistemas")) == 1
    assert len(sends(teams, chat_of(ANA_T), "Sistemas ya puede recibir «PED-1 · Sistemas»")) == 1
    assert len(sends(teams, chat_of(PABLO_T), LEAD_TOLD)) == 1
    async with teams.sessions() as session:
        rows = (await session.exec(select(Outbox).where(Outbox.card_key == "request:1:team")
                                   .order_by(Outbox.id))).all()  # type: ignore[union-attr]
    assert [row.status for row in rows] == ["superseded", "sent"]


async def test_a_card_that_stops_at_delivery_tells_the_requester_and_the_lead_once(teams):  # noqa: F811
    # Facturación works in a Teams channel Pedir is in; Sistemas' channel has never seen it.
    async with teams.sessions() as session, session.begin():
        facturacion = (await session.exec(select(Team).where(Team.slug == "facturacion"))).one()
        facturacion.intake = {"teams": FACTURACION_CHANNEL}
        session.add(facturacion)
    teams.connector.add_member(SARA_T[1], SARA_T[0], SARA_T[2], SARA_T[3], SARA_T[3], wire.TENANT_ID)
    await install(teams, FACTURACION_CHANNEL)
    await say(teams, PABLO_T, "pedir ayuda")
    await say(teams, ANA_T, "pedir @facturacion no puedo entrar en el portal de facturas")
    [answer] = await eventually(lambda: sends(teams, chat_of(ANA_T), "Creado PED-1"), "Ana's answer")
    assert "aún no puede recibirlo" not in str(answer.json)

    # Sara passes it on to Sistemas: the dispatcher finds it cannot deliver there.
    await say(teams, SARA_T, "pedir reasignar PED-1 @sistemas Es un problema de acceso")
    [notice] = await eventually(lambda: sends(teams, chat_of(PABLO_T), LEAD_TOLD), "the lead's notice", timeout=10)
    assert "Añade la app Pedir al equipo en Teams" in str(notice.json)
    [told] = await eventually(lambda: sends(teams, chat_of(ANA_T), "aún no ha llegado a Sistemas"), "Ana told",
                              timeout=10)
    assert "Hemos avisado a Pablo Jiménez" in str(told.json)

    # A newer version of the card and a message in its thread stop too: nobody is told again.
    await say(teams, IRENE_T, "pedir tomar PED-1")
    await say(teams, ANA_T, "pedir comentar PED-1 desde casa tampoco")
    await outbox_idle(teams)
    assert len(sends(teams, chat_of(PABLO_T), LEAD_TOLD)) == 1
    assert len(sends(teams, chat_of(ANA_T), "aún no ha llegado")) == 1
    async with teams.sessions() as session:
        waiting = (await session.exec(select(Outbox).where(Outbox.recipient_kind == "team",
                                                           Outbox.status == "unreachable"))).all()
    assert len(waiting) >= 2 and all(row.last_error for row in waiting)


ORG = """\
[[people]]
email = "pablo.jimenez@example.com"
name = "Pablo Jiménez Ortega"

[teams.sistemas]
name = "Sistemas"
lead = "pablo.jimenez@example.com"
intake = {{ teams = "{seen}" }}

[teams.legal]
name = "Legal"
lead = "pablo.jimenez@example.com"
intake = {{ teams = "{never}" }}

[teams.soporte]
name = "Soporte"
lead = "pablo.jimenez@example.com"
intake = {{ slack = "C04SOPORTE" }}

[teams.rrhh]
name = "RRHH"
lead = "pablo.jimenez@example.com"
intake = {{ slack = "C04RRHH001", teams = "{never_too}" }}
"""


@pytest.mark.parametrize("database_kind", ["e2e"])  # stamped at the head, as `pedir` expects
async def test_org_import_warns_about_each_intake_channel_pedir_has_never_been_in(database_url, tmp_path):
    seen, never, never_too = "19:seen@thread.tacv2", "19:never@thread.tacv2", "19:nunca@thread.tacv2"
    engine = create_engine(database_url)
    async with session_factory(engine)() as session, session.begin():
        await references.save(session, "teams", references.channel_key(seen), {"conversation": {"id": seen}},
                              datetime.now(timezone.utc))
    await engine.dispose()
    org = tmp_path / "org.toml"
    org.write_text(ORG.format(seen=seen, never=never, never_too=never_too), encoding="utf-8")

    result = subprocess.run([sys.executable, "-m", "adapters.cli", "org", "import", str(org)], cwd=ROOT,
                            env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert [line.split(":")[1].strip() for line in warnings] == ["team legal", "team rrhh"]
    assert never in warnings[0] and never_too in warnings[1]
    assert all("Add the Pedir app to that team in Teams" in line for line in warnings)
    assert seen not in result.stderr
