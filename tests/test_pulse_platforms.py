"""/pulso nuevo end to end on Slack (a slash command, then a modal) and on
Teams (a typed line, then an Adaptive Card form): a wrong field keeps the
form open with its error and stores nothing; the right values create the pulse.

Raquel (RRHH's lead) is HR in the demo organisation; Ana is not.
"""

from __future__ import annotations

import json

from sqlmodel import select

from storage.models import Pulse
from tests.harness import teams_wire as wire
from tests.harness.slack_env import ANA, SlackEnv, slack, unique  # noqa: F401  (slack: fixture)
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401
from tests.harness.teams_env import TeamsEnv, fake_connector_running, teams  # noqa: F401
from tests.test_slack_issues import assert_slack_valid, posts_to
from tests.test_teams_issues import card_of, chat, say, shown

RAQUEL = "U04RDOMING"
RAQUEL_T = ("29:1raquel", "aad-raquel", "Raquel Domínguez Gil", "raquel.dominguez@example.com")
ANA_T = ("29:1ana", "aad-ana", "Ana García Ruiz", "ana.garcia@example.com")
VALUES = {"q1_text": "¿Cómo valoras el servicio de Sistemas este mes?", "audience": "@soporte @ventas",
          "subject": "sistemas", "schedule": "monthly", "start": "2027-01-12"}


async def stored(sessions) -> list[Pulse]:  # noqa: ANN001
    async with sessions() as session:
        return list((await session.exec(select(Pulse))).all())


# ------------------------------------------------------------------ Slack


async def test_pulso_nuevo_on_slack_opens_a_modal_that_checks_then_creates(slack: SlackEnv):  # noqa: F811
    slack.fake.add_user(RAQUEL, email="raquel.dominguez@example.com", real_name="Raquel Domínguez Gil",
                        locale="es-ES")
    status, body = await slack.command(RAQUEL, "nuevo", command="/pulso", hook=unique("cmd-"))
    assert status == 200 and body in ("", "null")
    view = await slack.modal()
    assert view["title"]["text"] == "Nuevo pulso"
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert blocks["q1_text"]["optional"] is False and blocks["q2_text"]["optional"] is True
    assert blocks["anonymous"]["element"]["initial_option"]["value"] == "yes"
    assert [o["value"] for o in blocks["subject"]["element"]["options"]][:2] == ["general", "facturacion"]

    # Wrong: the errors travel in the ack, under their fields, and nothing is stored.
    status, ack = await slack.submit(RAQUEL, view, {**VALUES, "min_answers": "30", "audience": "@factura"})
    assert status == 200
    errors = json.loads(ack)["errors"]
    assert set(errors) == {"min_answers", "audience"}
    assert "¿Quisiste decir @facturacion?" in errors["audience"]
    assert await stored(slack.sessions) == []

    status, ack = await slack.submit(RAQUEL, view, VALUES)
    assert (status, ack) == (200, "")
    await slack.settled()
    [pulse] = await stored(slack.sessions)
    assert pulse.schedule["kind"] == "monthly" and pulse.min_answers == 5
    # No response_url after a modal: the pulse, read back, goes to Raquel's DM.
    [card] = [p for p in posts_to(slack, FakeSlackAPI.dm_channel(RAQUEL)) if "P-1" in str(p.get("blocks"))]
    assert_slack_valid(card["blocks"])
    assert "cada mes, el segundo martes a las 10:00" in str(card["blocks"])


async def test_pulso_nuevo_on_slack_is_refused_to_someone_outside_hr(slack: SlackEnv):  # noqa: F811
    answer = await slack.answer(ANA, "nuevo", command="/pulso")
    assert "Solo RR. HH. puede crear y gestionar pulsos" in answer["text"]
    assert slack.fake.calls_to("views.open") == []


# ------------------------------------------------------------------ Teams


async def test_pulso_nuevo_on_teams_shows_a_card_form_that_comes_back_with_its_errors(teams: TeamsEnv):  # noqa: F811
    teams.connector.add_member(RAQUEL_T[1], RAQUEL_T[0], RAQUEL_T[2], RAQUEL_T[3], RAQUEL_T[3], wire.TENANT_ID)
    [form] = await say(teams, RAQUEL_T, "pulso nuevo")
    card = card_of(form)
    assert card["body"][0]["text"] == "Nuevo pulso"
    inputs = {b["id"]: b for b in card["body"] if b["type"].startswith("Input.")}
    assert inputs["anonymous"]["type"] == "Input.ChoiceSet" and inputs["q1_text"]["isRequired"] is True
    [submit] = card["actions"]
    assert submit["data"]["pedir_form"] == "pulse.new"

    before = len(teams.connector.calls_to("send"))
    status, _ = await teams.post(teams.click(RAQUEL_T, {**submit["data"], **VALUES, "start": "2020-01-01"}))
    assert status in (200, 201)
    again = card_of(teams.connector.calls_to("send")[before])
    errors = [b["text"] for b in again["body"] if b.get("color") == "attention"]
    assert errors == ["La fecha 2020-01-01 ya ha pasado. Elige hoy o una fecha posterior."]
    assert await stored(teams.sessions) == []

    sent = len(teams.connector.calls_to("send"))
    status, _ = await teams.post(teams.click(RAQUEL_T, {**submit["data"], **VALUES}))
    assert status in (200, 201)
    [pulse] = await stored(teams.sessions)
    assert pulse.subject_team_id is not None and pulse.anonymous is True
    answer = [c for c in teams.connector.calls_to("send")[sent:] if c.conversation_id == chat(RAQUEL_T)]
    assert "Pulso P-1 creado." in shown(answer[-1])


async def test_pulso_nuevo_on_teams_is_refused_to_someone_outside_hr(teams: TeamsEnv):  # noqa: F811
    [answer] = await say(teams, ANA_T, "pulso nuevo")
    assert "Solo RR. HH. puede crear y gestionar pulsos" in shown(answer)
