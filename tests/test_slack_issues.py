"""Customer issues on Slack, end to end: signed requests in, Web API calls out.

A Soporte member opens an issue with /incidencia, its card reaches the owner
team's channel and the DMs of its creator and the account manager; /estado
fans a status update out to every follower as a new message with an
"Entendido" button, edits every issue card in place, and the author's receipt
lists who acknowledged; /cliente shows the one view of a customer; the issue
card's "Publicar estado" button opens a modal; a churn signal in a status
reaches the account manager as a risk card they act on.

Demo people (examples/demo-org.toml): Soporte is Javier (lead), Lucía and
Carlos (Carlos is on Teams only); ACME's account manager is Elena (Ventas).
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block
from sqlmodel import select

from bot.domains import REGISTRY
from storage.models import Issue, IssueFollower, RiskFlag, StatusAck, StatusUpdate
from tests.harness.slack_env import (  # noqa: F401  (slack: fixture)
    ANA,
    SlackEnv,
    slack,
    unique,
)
from tests.harness.slack_standin import FakeSlackAPI, fake_slack  # noqa: F401

SOPORTE = "C04SOPORTE"  # Soporte's intake channel on Slack
JAVIER, LUCIA, ELENA = "U04JMARTIN", "U04LHERNAN", "U04ETORRES"
DM_JAVIER, DM_LUCIA, DM_ELENA = (FakeSlackAPI.dm_channel(u) for u in (JAVIER, LUCIA, ELENA))
NAMES = {JAVIER: "Javier Martín Gómez", LUCIA: "Lucía Hernández Díaz", ELENA: "Elena Torres Castillo"}
EMAILS = {JAVIER: "javier.martin", LUCIA: "lucia.hernandez", ELENA: "elena.torres"}
TITLE = "El portal de pedidos no carga desde las 9:00"
STATUS = "Hemos encontrado la causa: un certificado caducado. Lo renovamos en 30 minutos."
CHURN = "Hablé con su director y quieren cancelar el contrato si no se arregla hoy."


# ------------------------------------------------------------------ helpers


def add_people(env: SlackEnv) -> None:
    for user, name in NAMES.items():
        env.fake.add_user(user, email=f"{EMAILS[user]}@example.com", real_name=name, locale="es-ES")


def assert_slack_valid(blocks: list[dict]) -> None:
    """slack_sdk's own models encode Slack's limits: a shape Slack rejects fails here."""
    assert blocks, "a message without blocks"
    for block in blocks:
        assert Block.parse(block).to_dict() == block
        if block["type"] == "section":
            texts = [block["text"]["text"]] if "text" in block else [f["text"] for f in block["fields"]]
            assert all(text.strip() for text in texts), f"an empty section: {block}"


def shown(message: dict[str, Any]) -> str:
    return str(message.get("blocks"))


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Neutral action id -> the button element, for every button on a message."""
    return {
        element["action_id"].rpartition(":")[0]: element
        for block in message.get("blocks", []) if block["type"] == "actions"
        for element in block["elements"]
    }


def current(env: SlackEnv, channel: str, ts: str) -> dict[str, Any]:
    """A message as it stands now (after any chat.update)."""
    return next(m for m in env.fake.messages_in(channel) if m["ts"] == ts)


async def answer_to(env: SlackEnv, user: str, command: str, text: str) -> dict[str, Any]:
    """The one ephemeral answer a slash command gets, in its ack."""
    answer = await env.answer(user, text, command=command)
    assert_slack_valid(answer["blocks"])
    return answer


async def click_answer(env: SlackEnv, user: str, channel: str, ts: str, neutral_id: str) -> dict[str, Any]:
    """Presses a button on a message; the ephemeral answer it gets."""
    hook = unique("click-")
    status, _ = await env.press(user, channel, ts, neutral_id, hook=hook)
    assert status == 200
    await env.settled()
    [answer] = env.fake.responses_to(hook)
    return answer


async def issues(env: SlackEnv) -> list[Issue]:
    async with env.sessions() as session:
        return list((await session.exec(select(Issue))).all())


async def status_updates(env: SlackEnv) -> list[StatusUpdate]:
    async with env.sessions() as session:
        return list((await session.exec(select(StatusUpdate).order_by(StatusUpdate.id))).all())


async def acks(env: SlackEnv) -> list[StatusAck]:
    async with env.sessions() as session:
        return list((await session.exec(select(StatusAck))).all())


def posts_to(env: SlackEnv, channel: str) -> list[dict[str, Any]]:
    """chat.postMessage calls that landed in a channel (a user id lands in their DM)."""
    return [c.args for c in env.fake.calls_to("chat.postMessage")
            if FakeSlackAPI.dm_channel(c.args["channel"]) == channel or c.args["channel"] == channel]


async def open_issue(env: SlackEnv) -> dict[str, str]:
    """Lucía opens INC-1 for ACME; the ts of its card in each chat, delivered."""
    add_people(env)
    answer = await answer_to(env, LUCIA, "/incidencia", f"nueva #acme sev2 {TITLE}")
    assert "Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte)" in answer["text"]
    await env.settled()
    cards = {}
    for channel in (SOPORTE, DM_LUCIA, DM_ELENA):
        [card] = env.top_level(channel)
        cards[channel] = card["ts"]
    return cards


async def post_status(env: SlackEnv, text: str = STATUS, user: str = JAVIER) -> dict[str, Any]:
    answer = await answer_to(env, user, "/estado", f"INC-1 {text}")
    await env.settled()
    return answer


def status_card(env: SlackEnv, channel: str) -> dict[str, Any]:
    """The newest status update in a chat: a new message, not an edit of the issue card."""
    cards = [m for m in env.top_level(channel) if "status.ack" in buttons(m) or "Lo has confirmado" in shown(m)]
    assert cards, f"no status card in {channel}"
    return cards[-1]


def receipt(env: SlackEnv) -> dict[str, Any]:
    [card] = [m for m in env.top_level(DM_JAVIER) if "Tu actualización de INC-1" in shown(m)]
    return card


# ------------------------------------------------------------------ opening an issue


async def test_a_new_issue_reaches_the_owner_team_its_creator_and_the_account_manager(slack):  # noqa: F811
    add_people(slack)
    answer = await answer_to(slack, LUCIA, "/incidencia", f"nueva #acme sev2 {TITLE}")
    # Seen only by Lucía, with who follows it now and when the next update is due.
    assert answer["text"].startswith("Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte).")
    assert "La siguen: Lucía Hernández Díaz, Elena Torres Castillo, Soporte" in answer["text"]
    assert "Próxima actualización antes de" in answer["text"]
    await slack.settled()

    [issue] = await issues(slack)
    assert (issue.title, issue.severity, issue.state) == (TITLE, "sev2", "open")
    async with slack.sessions() as session:
        followers = (await session.exec(select(IssueFollower))).all()
    assert sorted(f.kind for f in followers) == ["person", "person", "team"]

    # One card in Soporte's channel, one in each DM; nowhere else.
    posted = {FakeSlackAPI.dm_channel(c.args["channel"]) if c.args["channel"][0] == "U" else c.args["channel"]
              for c in slack.fake.calls_to("chat.postMessage")}
    assert posted == {SOPORTE, DM_LUCIA, DM_ELENA}
    for channel in (SOPORTE, DM_LUCIA, DM_ELENA):
        [card] = slack.top_level(channel)
        assert_slack_valid(card["blocks"])
        assert card["blocks"][0]["text"]["text"] == f"*INC-1 · ACME Logística S.L. · SEV2 — {TITLE}*"
        for label, value in (("Cliente", "ACME Logística S.L. (#acme)"), ("Severidad", "SEV2 · alta"),
                             ("Estado", "Abierta"), ("Equipo responsable", "Soporte"),
                             ("Responsable", "Lucía Hernández Díaz"), ("Gestor de cuenta", "Elena Torres Castillo")):
            assert f"*{label}*\\n{value}" in shown(card), (channel, label)
        assert "Aún no hay ninguna actualización." in shown(card)
        assert "Próxima actualización antes de" in shown(card)
        assert TITLE in card["text"]  # the notification's fallback text
    # Only the owner team's copy can act on the issue.
    assert set(buttons(slack.top_level(SOPORTE)[0])) == {"issue.post_status", "issue.close"}
    assert REGISTRY.context("issue.post_status", buttons(slack.top_level(SOPORTE)[0])["issue.post_status"]["value"]).id == issue.id
    assert buttons(slack.top_level(DM_LUCIA)[0]) == {} and buttons(slack.top_level(DM_ELENA)[0]) == {}


async def test_an_issue_for_an_unknown_customer_is_refused_with_suggestions(slack):  # noqa: F811
    add_people(slack)
    answer = await answer_to(slack, LUCIA, "/incidencia", "nueva #acmee sev2 no carga")
    assert "No conozco el cliente «acmee». ¿Quisiste decir #acme?" in answer["text"]
    await slack.settled()
    assert await issues(slack) == []
    assert slack.fake.calls_to("chat.postMessage") == []


# ------------------------------------------------------------------ /estado fans out


async def test_a_status_goes_to_every_follower_as_news_and_edits_every_issue_card(slack):  # noqa: F811
    cards = await open_issue(slack)
    posts_before, updates_before = len(slack.fake.calls_to("chat.postMessage")), len(slack.fake.calls_to("chat.update"))

    answer = await post_status(slack)
    assert "Estado publicado en INC-1: enviado a 3 chats." in answer["text"]
    [update] = await status_updates(slack)
    assert (update.text, update.kind) == (STATUS, "status")

    new_posts = slack.fake.calls_to("chat.postMessage")[posts_before:]
    # Three status cards (Soporte, Lucía, Elena) and Javier's receipt: four new messages.
    assert len(new_posts) == 4
    for channel in (SOPORTE, DM_LUCIA, DM_ELENA):
        card = status_card(slack, channel)
        assert card["ts"] != cards[channel]  # news is a new message, not an edit
        assert_slack_valid(card["blocks"])
        assert card["blocks"][0]["text"]["text"] == "*INC-1 · ACME Logística S.L.: nuevo estado*"
        assert STATUS in shown(card) and TITLE in shown(card)
        assert "Javier Martín Gómez" in shown(card)  # who said it
        ack = buttons(card)["status.ack"]
        assert ack["text"]["text"] == "Entendido" and REGISTRY.context("status.ack", ack["value"]).id == update.id
        assert ack["style"] == "primary"

    # The issue cards were edited in place: the latest status is on each.
    updated = {(c.args["channel"], c.args["ts"]) for c in slack.fake.calls_to("chat.update")[updates_before:]}
    assert {(channel, ts) for channel, ts in cards.items()} <= updated
    for channel, ts in cards.items():
        card = current(slack, channel, ts)
        assert_slack_valid(card["blocks"])
        assert "Último estado" in shown(card) and STATUS in shown(card)
        assert "Aún no hay ninguna actualización." not in shown(card)

    # The author does not get his own news, only a receipt of where it went.
    assert [m for m in slack.top_level(DM_JAVIER) if "status.ack" in buttons(m)] == []
    card = receipt(slack)
    assert_slack_valid(card["blocks"])
    assert "Enviada a 3 chats" in shown(card) and "Nadie lo ha confirmado aún" in shown(card)

    async with slack.sessions() as session:
        issue = (await session.exec(select(Issue))).one()
    assert issue.last_status_at is not None and issue.next_update_due is not None


async def test_entendido_checks_the_followers_copy_and_tells_the_author(slack):  # noqa: F811
    await open_issue(slack)
    await post_status(slack)
    [update] = await status_updates(slack)
    elena_card = status_card(slack, DM_ELENA)
    lucia_before = status_card(slack, DM_LUCIA)

    answer = await click_answer(slack, ELENA, DM_ELENA, elena_card["ts"], "status.ack")
    assert answer["response_type"] == "ephemeral" and "Gracias: INC-1 confirmado." in answer["text"]
    assert [(a.status_update_id, a.person_id) for a in await acks(slack)] == [
        (update.id, (await person_id(slack, ELENA)))]

    # Elena's copy, edited in place: no button any more, a check mark instead.
    mine = current(slack, DM_ELENA, elena_card["ts"])
    assert_slack_valid(mine["blocks"])
    assert buttons(mine) == {} and "✓ Lo has confirmado" in shown(mine)
    assert STATUS in shown(mine)
    # Javier's receipt names her.
    card = receipt(slack)
    assert "Entendido (1): Elena Torres Castillo" in shown(card) and "Enviada a 3 chats" in shown(card)
    # The team channel's copy shows who confirmed, and still has its button for the others.
    team = status_card(slack, SOPORTE)
    assert "Entendido (1): Elena Torres Castillo" in shown(team) and "status.ack" in buttons(team)
    # Lucía's copy is hers: untouched.
    assert current(slack, DM_LUCIA, lucia_before["ts"]) == lucia_before

    # Lucía confirms from the team channel: her own DM copy gets the check mark.
    await click_answer(slack, LUCIA, SOPORTE, team["ts"], "status.ack")
    assert "✓ Lo has confirmado" in shown(current(slack, DM_LUCIA, lucia_before["ts"]))
    assert "Entendido (2): Elena Torres Castillo, Lucía Hernández Díaz" in shown(receipt(slack))

    # A second click (an old copy of the card) is recorded once.
    hook = unique("again-")
    await slack.click(ELENA, "status.ack:0", str(update.id), channel_id=DM_ELENA, message_ts=elena_card["ts"],
                      hook=hook)
    await slack.settled()
    [again] = slack.fake.responses_to(hook)
    assert "Ya habías confirmado esta actualización de INC-1." in again["text"]
    assert len(await acks(slack)) == 2


async def person_id(env: SlackEnv, slack_user: str) -> int:
    from storage.models import PlatformAccount

    async with env.sessions() as session:
        account = (await session.exec(select(PlatformAccount).where(
            PlatformAccount.platform == "slack", PlatformAccount.external_id == slack_user))).one()
    return account.person_id


async def test_someone_outside_the_owner_team_cannot_post_status(slack):  # noqa: F811
    await open_issue(slack)
    posts_before = len(slack.fake.calls_to("chat.postMessage"))
    updates_before = len(slack.fake.calls_to("chat.update"))

    answer = await post_status(slack, "Ya está arreglado", user=ANA)
    assert "Solo el equipo Soporte publica el estado de INC-1" in answer["text"]
    assert "/incidencia seguir INC-1" in answer["text"]
    assert await status_updates(slack) == []
    assert len(slack.fake.calls_to("chat.postMessage")) == posts_before
    assert len(slack.fake.calls_to("chat.update")) == updates_before


# ------------------------------------------------------------------ /cliente


async def test_cliente_shows_the_one_view_of_a_customer(slack):  # noqa: F811
    await open_issue(slack)
    await post_status(slack)
    answer = await answer_to(slack, ELENA, "/cliente", "acme")
    view = shown(answer)
    assert answer["blocks"][0]["text"]["text"] == "*ACME Logística S.L. · #acme · gold*"
    assert "Nuestro mayor cliente: 40 almacenes" in view  # the notes
    assert "Gestor de cuenta" in view and "Elena Torres Castillo" in view
    assert "Incidencias abiertas (1)" in view
    assert "INC-1 · ACME Logística S.L. · SEV2 · Abierta" in view and "Hemos encontrado la causa" in view
    assert "Sin señales de riesgo en 30 días." in view
    assert "Pedidos abiertos y de los últimos 30 días (0)" in view


async def test_cliente_without_notes_sends_no_empty_section(slack):  # noqa: F811
    add_people(slack)
    answer = await answer_to(slack, ELENA, "/cliente", "globex")  # Globex has no notes
    assert answer["blocks"][0]["text"]["text"] == "*Globex Ibérica S.A. · #globex · silver*"
    assert answer["text"].strip()  # the notification text is never empty
    assert "Incidencias abiertas (0)" in shown(answer) and "Ninguna." in shown(answer)


async def test_cliente_of_an_unknown_customer_says_how_to_add_it(slack):  # noqa: F811
    add_people(slack)
    answer = await answer_to(slack, ELENA, "/cliente", "umbrella")
    assert "No conozco el cliente «umbrella». Dalo de alta con /cliente nuevo #umbrella" in answer["text"]


# ------------------------------------------------------------------ the issue card's buttons


async def test_publicar_estado_opens_a_modal_that_checks_its_text_then_posts(slack):  # noqa: F811
    cards = await open_issue(slack)
    opened = len(slack.fake.calls_to("views.open"))
    status, _ = await slack.press(JAVIER, SOPORTE, cards[SOPORTE], "issue.post_status", hook=unique("btn-"))
    assert status == 200
    view = await slack.modal(opened + 1)
    assert view["title"]["text"] == "Estado de INC-1"
    [field] = view["blocks"]
    assert field["block_id"] == "update" and field["optional"] is False
    assert field["element"]["multiline"] is True

    # Blank: the errors travel in the ack, under the field, and nothing is posted.
    posts_before = len(slack.fake.calls_to("chat.postMessage"))
    status, ack = await slack.submit(JAVIER, view, {"update": "   "})
    assert status == 200
    assert json.loads(ack) == {"response_action": "errors", "errors": {"update": "Escribe qué ha cambiado."}}
    await slack.settled()
    assert await status_updates(slack) == []
    assert len(slack.fake.calls_to("chat.postMessage")) == posts_before

    # The same modal, filled in: the ack closes it and the status goes out.
    status, ack = await slack.submit(JAVIER, view, {"update": STATUS})
    assert (status, ack) == (200, "")
    await slack.settled()
    [update] = await status_updates(slack)
    assert update.text == STATUS
    assert STATUS in shown(status_card(slack, DM_ELENA))
    # No response_url after a modal: the confirmation goes to Javier's DM.
    assert any("Estado publicado en INC-1: enviado a 3 chats." in p["text"] for p in posts_to(slack, DM_JAVIER))


async def test_seguir_from_incidencia_ver_sends_the_card(slack):  # noqa: F811
    await open_issue(slack)
    answer = await answer_to(slack, ANA, "/incidencia", "ver INC-1")
    assert "INC-1 · ACME Logística S.L. · SEV2" in shown(answer)
    assert "La siguen" in shown(answer) and "Soporte" in shown(answer)
    follow = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"])
    hook = unique("follow-")
    status, _ = await slack.click(ANA, follow["action_id"], follow["value"], hook=hook, is_ephemeral=True)
    assert status == 200
    await slack.settled()
    assert "Ahora sigues INC-1" in slack.fake.responses_to(hook)[0]["text"]
    dm_ana = FakeSlackAPI.dm_channel(ANA)
    [card] = slack.top_level(dm_ana)
    assert "INC-1 · ACME Logística S.L. · SEV2" in shown(card)
    # And the next status reaches her too.
    await post_status(slack)
    assert STATUS in shown(status_card(slack, dm_ana))


# ------------------------------------------------------------------ churn risk


async def test_a_churn_signal_in_a_status_asks_the_account_manager_to_act(slack):  # noqa: F811
    await open_issue(slack)
    await post_status(slack, CHURN)
    [card] = [m for m in slack.top_level(DM_ELENA) if "Posible riesgo" in shown(m)]
    assert_slack_valid(card["blocks"])
    assert card["blocks"][0]["text"]["text"] == "*⚠ Posible riesgo con ACME Logística S.L.*"
    assert "quiere darse de baja" in shown(card) and "cancelar el contrato" in shown(card)
    assert "llama hoy al cliente" in shown(card)
    assert "INC-1" in shown(card) and "Javier Martín Gómez" in shown(card)
    assert [b["text"]["text"] for b in buttons(card).values()] == ["Aceptar", "Descartar", "Hecho"]
    async with slack.sessions() as session:
        [flag] = (await session.exec(select(RiskFlag))).all()
    assert (flag.signal, flag.state, flag.source_ref) == ("cancel", "open", "INC-1")
    assert REGISTRY.context("risk.accept", buttons(card)["risk.accept"]["value"]).id == flag.id
    # Nobody else gets it: not the team, not the author.
    assert not [m for ch in (SOPORTE, DM_LUCIA, DM_JAVIER) for m in slack.top_level(ch) if "Posible riesgo" in shown(m)]

    # Only the account manager decides.
    refused = await click_answer(slack, LUCIA, DM_ELENA, card["ts"], "risk.accept")
    assert "Solo el gestor de cuenta de ACME Logística S.L. decide" in refused["text"]

    accepted = await click_answer(slack, ELENA, DM_ELENA, card["ts"], "risk.accept")
    assert "Aceptada. Márcala como hecha cuando lo esté." in accepted["text"]
    async with slack.sessions() as session:
        flag = (await session.exec(select(RiskFlag))).one()
    assert flag.state == "accepted" and flag.decided_by_id == await person_id(slack, ELENA)
    # Her card, edited in place: accepted, and what is left to do with it.
    now = current(slack, DM_ELENA, card["ts"])
    assert_slack_valid(now["blocks"])
    assert "aceptada por Elena Torres Castillo" in shown(now)
    assert list(buttons(now)) == ["risk.dismiss", "risk.done"]

    # /cliente now shows the customer at risk.
    view = shown(await answer_to(slack, ELENA, "/cliente", "acme"))
    assert "quiere darse de baja" in view and "En riesgo" in view
