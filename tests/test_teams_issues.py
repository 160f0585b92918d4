"""Customer issues on Teams, end to end: Bot Framework activities in, Bot
Connector calls out, and across platforms with Slack.

Teams has no slash commands: "incidencia nueva #acme sev2 …" and "estado
INC-1 …" are lines typed to the bot, in a personal chat or a channel post.
Status updates go out proactively through saved conversation references; the
"Entendido" button is an Adaptive Card action.

In these tests Soporte's intake channel is on Teams (SOPORTE_CHANNEL), Lucía
and Elena talk to the bot from Teams (linked to their demo-org person by
email), and Carlos is on Teams only (examples/demo-org.toml).
"""

from __future__ import annotations

import json

import re
from typing import Any

import aiohttp
from sqlmodel import select

from bot.domains import REGISTRY
from storage.models import Issue, Outbox, Request, StatusAck, StatusUpdate, Team
from tests.harness import teams_wire as wire
from tests.harness.teams_env import ANA_T, TeamsEnv, fake_connector_running, teams  # noqa: F401
from tests.harness.waiting import eventually

SOPORTE_CHANNEL = "19:soporte@thread.tacv2"
SOPORTE_TEAM = "19:team-soporte@thread.tacv2"
CARLOS_T = ("29:1cNavarroR0mer0-demo", "aad-carlos", "Carlos Navarro Romero", "carlos.navarro@example.com")
LUCIA_T = ("29:1lucia", "aad-lucia", "Lucía Hernández Díaz", "lucia.hernandez@example.com")
ELENA_T = ("29:1elena", "aad-elena", "Elena Torres Castillo", "elena.torres@example.com")
TITLE = "El portal de pedidos no carga desde las 9:00"
STATUS = "Hemos encontrado la causa: un certificado caducado. Lo renovamos en 30 minutos."
ADAPTIVE = "application/vnd.microsoft.card.adaptive"


# ------------------------------------------------------------------ helpers


def chat(who: tuple[str, str, str, str]) -> str:
    """A person's personal chat with the bot (teams_env.personal's conversation id)."""
    return f"a:personal-{who[0]}"


def card_of(call) -> dict[str, Any]:  # noqa: ANN001
    """The Adaptive Card a call carried ({} for a plain text message)."""
    attachments = call.json.get("attachments") or []
    if not attachments:
        return {}
    [attachment] = attachments
    assert attachment["contentType"] == ADAPTIVE
    return attachment["content"]


def unescape(text: str) -> str:
    """What Teams shows for a backslash-escaped markdown string."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def shown(call) -> str:  # noqa: ANN001
    """Every string on the call's cards, as a reader sees it (escapes undone)."""
    return "\n".join(unescape(s) for s in _strings(call.json.get("attachments")))


def submits(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """pedir_action -> the Action.Submit, for every button on a card."""
    return {a["data"]["pedir_action"]: a for a in card.get("actions", []) if "pedir_action" in a.get("data", {})}


def sends_to(env: TeamsEnv, conversation: str) -> list:
    return [c for c in env.connector.calls_to("send")
            if c.status in (200, 201) and (c.conversation_id or "").split(";")[0] == conversation]


def updates_of(env: TeamsEnv, activity_id: str) -> list:
    return [c for c in env.connector.calls_to("update") if c.activity_id == activity_id and c.status == 200]


async def settled(env: TeamsEnv, timeout: float = 20.0) -> list[Outbox]:
    """Every message (home refreshes apart) delivered or given up on; the rows."""
    rows: list[Outbox] = []

    async def drained() -> bool:
        nonlocal rows
        async with env.sessions() as session:
            rows = [r for r in (await session.exec(select(Outbox))).all()
                    if not (r.card_key or "").startswith("home:")]
        return all(r.status not in ("pending", "sending") for r in rows)

    await eventually(drained, lambda: f"the outbox to drain: {[(r.card_key, r.status, r.last_error) for r in rows]}",
                     timeout=timeout, interval=0.02)
    return rows


async def say(env: TeamsEnv, who: tuple[str, str, str, str], text: str) -> list:
    """A line typed in a personal chat; the bot's in-turn answers to it."""
    before = len(sends_to(env, chat(who)))
    status, _ = await env.post(env.personal(who, text))
    assert status in (200, 201)
    return sends_to(env, chat(who))[before:]


def in_channel(who: tuple[str, str, str, str], text: str, env: TeamsEnv) -> dict[str, Any]:
    user_id, aad, name, _email = who
    return wire.channel_message(text, team_id=SOPORTE_TEAM, channel_id=SOPORTE_CHANNEL, user_id=user_id,
                                aad_object_id=aad, user_name=name, service_url=env.connector.service_url)


def channel_click(env: TeamsEnv, who: tuple[str, str, str, str], value: dict[str, Any], root: str) -> dict[str, Any]:
    """An Action.Submit on a card posted in Soporte's channel (the click comes in its thread)."""
    activity = env.click(who, value)
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": wire.TENANT_ID,
                                "id": f"{SOPORTE_CHANNEL};messageid={root}"}
    activity["channelData"] = {"team": {"id": SOPORTE_TEAM}, "channel": {"id": SOPORTE_CHANNEL},
                               "tenant": {"id": wire.TENANT_ID}}
    return activity


def invoke(env: TeamsEnv, who: tuple[str, str, str, str], data: dict[str, Any]) -> dict[str, Any]:
    """An Action.Execute on a card in a person's chat (adaptiveCard/action)."""
    user_id, aad, name, _email = who
    return wire.invoke_adaptive_card_action(data, service_url=env.connector.service_url, user_id=user_id,
                                            aad_object_id=aad, user_name=name, conversation_id=chat(who))


async def install_in_soporte(env: TeamsEnv) -> None:
    activity = wire.conversation_update_bot_added(scope="team", team_id=SOPORTE_TEAM, channel_id=SOPORTE_CHANNEL,
                                                  service_url=env.connector.service_url)
    status, _ = await env.post(activity)
    assert status in (200, 201)


async def soporte_intake(env: TeamsEnv, intake: dict[str, str]) -> None:
    async with env.sessions() as session, session.begin():
        soporte = (await session.exec(select(Team).where(Team.slug == "soporte"))).one()
        soporte.intake = intake
        session.add(soporte)


def add_members(env: TeamsEnv) -> None:
    for user_id, aad, name, email in (CARLOS_T, LUCIA_T, ELENA_T):
        env.connector.add_member(aad, user_id, name, email, email, wire.TENANT_ID)


async def the_issue(env: TeamsEnv) -> Issue:
    async with env.sessions() as session:
        return (await session.exec(select(Issue))).one()


async def status_updates(env: TeamsEnv) -> list[StatusUpdate]:
    async with env.sessions() as session:
        return list((await session.exec(select(StatusUpdate).order_by(StatusUpdate.id))).all())


def status_cards(env: TeamsEnv, conversation: str) -> list:
    return [c for c in sends_to(env, conversation) if "status.ack" in submits(card_of(c))]


async def open_on_teams(env: TeamsEnv) -> dict[str, Any]:
    """Soporte's channel on Teams, Lucía, Elena and Carlos known to the bot; Lucía
    opens INC-1 for ACME with a post in Soporte's channel. The issue card sends."""
    add_members(env)
    await soporte_intake(env, {"teams": SOPORTE_CHANNEL})
    await install_in_soporte(env)
    for who in (LUCIA_T, ELENA_T, CARLOS_T):  # each has talked to the bot: a reference
        [answer] = await say(env, who, "incidencias")
        assert "No hay incidencias abiertas." in shown(answer)
    post = in_channel(LUCIA_T, f"incidencia nueva #acme sev2 {TITLE}", env)
    status, _ = await env.post(post)
    assert status in (200, 201)
    rows = await settled(env)
    assert {r.status for r in rows} == {"sent"}, [(r.card_key, r.status, r.last_error) for r in rows]
    cards = {}
    for conversation in (SOPORTE_CHANNEL, chat(LUCIA_T), chat(ELENA_T)):
        [card] = [c for c in sends_to(env, conversation) if "INC-1 · ACME Logística S.L. · SEV2" in shown(c)
                  and c.conversation_id == conversation]
        cards[conversation] = card
    return cards


# ------------------------------------------------------------------ on Teams only


async def test_an_issue_opened_in_a_channel_post_reaches_every_follower_on_teams(teams):  # noqa: F811
    cards = await open_on_teams(teams)
    issue = await the_issue(teams)
    assert (issue.title, issue.severity, issue.state) == (TITLE, "sev2", "open")

    # The answer, in the post's thread.
    threaded = [c for c in teams.connector.calls_to("send")
                if (c.conversation_id or "").startswith(f"{SOPORTE_CHANNEL};messageid=")]
    assert any("Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte)" in shown(c) for c in threaded)
    # The owner team's copy (a new top-level post in its channel) can act; the people's cannot.
    team_card = card_of(cards[SOPORTE_CHANNEL])
    assert team_card["version"] == "1.5"
    assert set(submits(team_card)) == {"issue.post_status", "issue.close"}
    assert REGISTRY.context("issue.post_status", submits(team_card)["issue.post_status"]["data"]["value"]).id == issue.id
    assert submits(card_of(cards[chat(LUCIA_T)])) == {} and submits(card_of(cards[chat(ELENA_T)])) == {}
    facts = {f["title"]: f["value"] for b in team_card["body"] if b["type"] == "FactSet" for f in b["facts"]}
    assert facts["Severidad"] == "SEV2 · alta" and facts["Gestor de cuenta"] == "Elena Torres Castillo"
    assert facts["Responsable"] == "Lucía Hernández Díaz"
    # Carlos does not follow it: nothing new in his chat.
    assert not [c for c in sends_to(teams, chat(CARLOS_T)) if "INC-1" in shown(c)]


async def test_estado_fans_out_proactively_and_entendido_updates_the_cards(teams):  # noqa: F811
    cards = await open_on_teams(teams)
    answer = await say(teams, CARLOS_T, f"estado INC-1 {STATUS}")
    assert any("Estado publicado en INC-1: enviado a 3 chats." in shown(c) for c in answer)
    rows = await settled(teams)
    assert {r.status for r in rows} == {"sent"}
    [update] = await status_updates(teams)
    assert update.text == STATUS

    # A new card in each follower's conversation, with its "Entendido".
    for conversation in (SOPORTE_CHANNEL, chat(LUCIA_T), chat(ELENA_T)):
        [sent] = status_cards(teams, conversation)
        card = card_of(sent)
        assert card["body"][0]["text"] == "INC-1 · ACME Logística S.L.: nuevo estado"
        assert STATUS in shown(sent) and "Carlos Navarro Romero" in shown(sent)
        ack = submits(card)["status.ack"]
        assert ack["title"] == "Entendido" and REGISTRY.context("status.ack", ack["data"]["value"]).id == update.id
        # And the issue card, edited in place, shows the latest status.
        [edited] = updates_of(teams, cards[conversation].response["id"])[-1:]
        assert STATUS in shown(edited) and "Aún no hay ninguna actualización." not in shown(edited)
    # Carlos, the author, gets a receipt and not his own news.
    assert status_cards(teams, chat(CARLOS_T)) == []
    [receipt] = [c for c in sends_to(teams, chat(CARLOS_T)) if "Tu actualización de INC-1" in shown(c)]
    assert "Enviada a 3 chats" in shown(receipt) and "Nadie lo ha confirmado aún" in shown(receipt)

    # Elena says "Entendido" on her card (Action.Execute): an answer card, at once.
    [elena_card] = status_cards(teams, chat(ELENA_T))
    status, body = await teams.post(invoke(teams, ELENA_T, submits(card_of(elena_card))["status.ack"]["data"]))
    assert status == 200 and body["statusCode"] == 200 and body["type"] == ADAPTIVE
    assert "Gracias: INC-1 confirmado." in str(body["value"])
    await settled(teams)
    async with teams.sessions() as session:
        acks = (await session.exec(select(StatusAck))).all()
    assert [a.status_update_id for a in acks] == [update.id]
    # Her card: the button gone, a check mark instead.
    [mine] = updates_of(teams, elena_card.response["id"])
    assert submits(card_of(mine)) == {} and "✓ Lo has confirmado" in shown(mine)
    # Carlos's receipt names her; the channel's copy too.
    [edited] = updates_of(teams, receipt.response["id"])
    assert "Entendido (1): Elena Torres Castillo" in shown(edited)
    [channel_card] = status_cards(teams, SOPORTE_CHANNEL)
    [team_copy] = updates_of(teams, channel_card.response["id"])
    assert "Entendido (1): Elena Torres Castillo" in shown(team_copy) and "status.ack" in submits(card_of(team_copy))
    # Lucía's copy did not change.
    [lucia_card] = status_cards(teams, chat(LUCIA_T))
    assert updates_of(teams, lucia_card.response["id"]) == []


async def test_entendido_clicked_on_the_channel_card_is_recorded_for_the_clicker(teams):  # noqa: F811
    await open_on_teams(teams)
    await say(teams, CARLOS_T, f"estado INC-1 {STATUS}")
    await settled(teams)
    [channel_card] = status_cards(teams, SOPORTE_CHANNEL)
    data = submits(card_of(channel_card))["status.ack"]["data"]
    status, _ = await teams.post(channel_click(teams, LUCIA_T, data, channel_card.response["id"]))
    assert status in (200, 201)
    await settled(teams)
    async with teams.sessions() as session:
        assert len((await session.exec(select(StatusAck))).all()) == 1
    [lucia_card] = status_cards(teams, chat(LUCIA_T))
    [mine] = updates_of(teams, lucia_card.response["id"])
    assert "✓ Lo has confirmado" in shown(mine)
    [team_copy] = updates_of(teams, channel_card.response["id"])
    assert "Entendido (1): Lucía Hernández Díaz" in shown(team_copy)


async def test_publicar_estado_opens_a_form_that_comes_back_with_its_error_then_posts(teams):  # noqa: F811
    cards = await open_on_teams(teams)
    root = cards[SOPORTE_CHANNEL].response["id"]
    thread = f"{SOPORTE_CHANNEL};messageid={root}"

    def in_thread() -> list:
        return [c for c in teams.connector.calls_to("send") if c.conversation_id == thread]

    data = submits(card_of(cards[SOPORTE_CHANNEL]))["issue.post_status"]["data"]
    status, _ = await teams.post(channel_click(teams, CARLOS_T, data, root))
    assert status in (200, 201)
    [form] = in_thread()
    card = card_of(form)
    assert card["body"][0]["text"] == "Estado de INC-1"
    [field] = [b for b in card["body"] if b["type"] == "Input.Text"]
    assert (field["id"], field["isRequired"], field["isMultiline"]) == ("update", True, True)
    [submit] = card["actions"]
    assert submit["data"]["pedir_form"] == "issue.post_status" and set(submit["data"]) == {"pedir_form", "context"}
    assert REGISTRY.context("issue.post_status", submit["data"]["context"], form=True).id == 1

    # Sent blank: the same form again, the error in red under the field, nothing posted.
    status, _ = await teams.post(channel_click(teams, CARLOS_T, {**submit["data"], "update": "  "}, root))
    assert status in (200, 201)
    again = card_of(in_thread()[-1])
    assert [b["type"] for b in again["body"]][:3] == ["TextBlock", "Input.Text", "TextBlock"]
    error = again["body"][2]
    assert (error["text"], error["color"]) == ("Escribe qué ha cambiado.", "attention")
    assert again["actions"][0]["data"] == submit["data"]
    await settled(teams)
    assert await status_updates(teams) == []

    status, _ = await teams.post(channel_click(teams, CARLOS_T, {**submit["data"], "update": STATUS}, root))
    assert status in (200, 201)
    assert "Estado publicado en INC-1: enviado a 3 chats." in shown(in_thread()[-1])
    await settled(teams)
    [update] = await status_updates(teams)
    assert update.text == STATUS
    assert [STATUS in shown(c) for c in status_cards(teams, chat(ELENA_T))] == [True]


async def test_estado_from_outside_the_owner_team_is_refused_on_teams(teams):  # noqa: F811
    await open_on_teams(teams)
    sends_before = len(teams.connector.calls_to("send"))
    answer = await say(teams, ANA_T, "estado INC-1 ya está arreglado")
    assert len(answer) == 1 and "Solo el equipo Soporte publica el estado de INC-1" in shown(answer[0])
    await settled(teams)
    assert await status_updates(teams) == []
    # Nothing but the answer to Ana.
    assert len(teams.connector.calls_to("send")) == sends_before + 1
    assert teams.connector.calls_to("update") == []


async def test_a_status_that_mentions_a_team_is_still_a_status_on_teams(teams):  # noqa: F811
    await open_on_teams(teams)
    await say(teams, CARLOS_T, "estado INC-1 escalado a @sistemas, que está renovando el certificado")
    await settled(teams)
    async with teams.sessions() as session:
        assert (await session.exec(select(Request))).all() == []
    [update] = await status_updates(teams)
    assert update.text == "escalado a @sistemas, que está renovando el certificado"


async def test_cliente_on_teams_without_notes_has_no_empty_text_block(teams):  # noqa: F811
    add_members(teams)
    [answer] = await say(teams, ELENA_T, "cliente globex")
    card = card_of(answer)
    assert card["body"][0]["text"] == "Globex Ibérica S.A. · #globex · silver"
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert all(text.strip() for text in texts)
    assert "Incidencias abiertas (0)" in shown(answer) and "Ninguna." in shown(answer)


# ------------------------------------------------------------------ across platforms


async def test_a_status_from_slack_reaches_followers_on_slack_and_on_teams(fake_connector_running, database_url):  # noqa: F811
    from tests.harness import slack_wire
    from tests.harness.slack_env import PROFILES, SECRET
    from tests.harness.slack_standin import FakeSlackAPI
    from tests.harness.teams_env import prepare_database, start_server

    javier, elena, soporte_slack = "U04JMARTIN", "U04ETORRES", "C04SOPORTE"
    async with FakeSlackAPI() as slack_fake:
        for user_id, (name, email, locale) in PROFILES.items():
            slack_fake.add_user(user_id, email=email, real_name=name, locale=locale)
        slack_fake.add_user(javier, email="javier.martin@example.com", real_name="Javier Martín Gómez")
        slack_fake.add_user(elena, email="elena.torres@example.com", real_name="Elena Torres Castillo")
        await prepare_database(database_url)
        env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(), database_url=database_url)
        server = await start_server(env, slack_api_url=slack_fake.api_url)
        slack_url = str(server.make_url("/slack/events"))

        async def slack_post(body: str) -> str:
            status, text, _ = await slack_wire.post_signed(env.http, slack_url, SECRET, body)
            assert status == 200
            return text

        try:
            add_members(env)
            # Carlos (Teams only) opens the issue from his chat; Soporte's intake is on Slack.
            [answer] = await say(env, CARLOS_T, f"incidencia nueva #acme sev2 {TITLE}")
            assert "Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte)" in shown(answer)
            await settled(env)
            [carlos_card] = [c for c in sends_to(env, chat(CARLOS_T)) if "INC-1 · ACME" in shown(c)]
            posted = {c.args["channel"] for c in slack_fake.calls_to("chat.postMessage")}
            elena_dm, javier_dm = FakeSlackAPI.dm_channel(elena), FakeSlackAPI.dm_channel(javier)
            assert posted == {soporte_slack, elena}  # the team's channel and Elena's DM (her user id), on Slack
            assert slack_fake.messages_in(elena_dm)

            # Javier posts the status on Slack.
            answer = await slack_post(slack_wire.slash_command_body(
                command="/estado", text=f"INC-1 {STATUS}", user_id=javier, trigger_id="trig-estado",
                response_url=slack_fake.response_url("estado")))
            assert "enviado a 3 chats" in json.loads(answer)["text"]  # in the ack: stored before it
            await settled(env)
            [update] = await status_updates(env)

            # Elena and Soporte read it on Slack, Carlos on Teams: the same update, each its button.
            slack_cards = {c.args["channel"]: c.args for c in slack_fake.calls_to("chat.postMessage")
                           if "status.ack" in str(c.args.get("blocks"))}
            assert set(slack_cards) == {soporte_slack, elena}
            for args in slack_cards.values():
                assert STATUS in str(args["blocks"])
                [ack] = [e for b in args["blocks"] if b["type"] == "actions" for e in b["elements"]]
                assert REGISTRY.context("status.ack", ack["value"]).id == update.id
            [teams_card] = status_cards(env, chat(CARLOS_T))
            assert STATUS in shown(teams_card)
            assert REGISTRY.context("status.ack", submits(card_of(teams_card))["status.ack"]["data"]["value"]).id == update.id
            # Carlos's issue card on Teams, edited in place.
            assert STATUS in shown(updates_of(env, carlos_card.response["id"])[-1])
            # Javier's receipt, on Slack.
            [receipt] = [m for m in slack_fake.messages_in(javier_dm) if "Tu actualización de INC-1" in str(m["blocks"])]

            # Carlos says "Entendido" on Teams: Javier's Slack receipt names him.
            status, body = await env.post(invoke(env, CARLOS_T, submits(card_of(teams_card))["status.ack"]["data"]))
            assert status == 200 and "Gracias: INC-1 confirmado." in str(body["value"])
            await settled(env)
            edits = [c.args for c in slack_fake.calls_to("chat.update")
                     if "Entendido (1): Carlos Navarro Romero" in str(c.args.get("blocks"))]
            # (the channel's card says so too: the two edits go out side by side, in either order)
            assert (javier_dm, receipt["ts"]) in {(edit["channel"], edit["ts"]) for edit in edits}
            [mine] = updates_of(env, teams_card.response["id"])
            assert "✓ Lo has confirmado" in shown(mine)

            # Elena confirms on Slack: the receipt lists both.
            [elena_msg] = [m for m in slack_fake.messages_in(elena_dm) if "status.ack" in str(m.get("blocks"))]
            await slack_post(slack_wire.interactivity_body(slack_wire.block_actions(
                user_id=elena, action_id="status.ack:0", value=str(update.id), channel_id=elena_dm,
                message_ts=elena_msg["ts"], trigger_id="trig-ack", response_url=slack_fake.response_url("ack"))))
            await eventually(lambda: slack_fake.responses_to("ack"), "the Entendido answer", timeout=15)
            await settled(env)
            assert any("Entendido (2): Carlos Navarro Romero, Elena Torres Castillo" in str(c.args.get("blocks"))
                       for c in slack_fake.calls_to("chat.update"))
            async with env.sessions() as session:
                assert len((await session.exec(select(StatusAck))).all()) == 2
        finally:
            await env.http.close()
            await server.close()
