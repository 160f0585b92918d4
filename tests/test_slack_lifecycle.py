"""A request's whole life on Slack, end to end: signed requests in, Web API calls out.

Each test brings a request to the step before the one it checks, through Slack
itself (slash command, buttons, modals, thread replies), then checks one step.
"""

from __future__ import annotations

from sqlmodel import select

from bot.domains import REGISTRY
from storage.models import Request, RequestEvent, RequestRating
from tests.harness import slack_wire as wire
from tests.harness.slack_env import (  # noqa: F401  (slack: fixture)
    ANA,
    DM_ANA,
    FACTURACION,
    JAMES,
    MARTA,
    SARA,
    Cards,
    new_request,
    slack,
    through_modal,
    unique,
)
from tests.harness.slack_standin import fake_slack  # noqa: F401


async def the_request(slack) -> Request:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return (await session.exec(select(Request))).one()


async def events_of_kind(slack, kind: str) -> list[RequestEvent]:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return list((await session.exec(select(RequestEvent).where(RequestEvent.kind == kind))).all())


def card_text(slack, channel: str, ts: str) -> str:  # noqa: ANN001, F811
    """Everything a reader sees on the current version of a card."""
    message = next(m for m in slack.fake.messages_in(channel) if m["ts"] == ts)
    return str(message.get("blocks"))


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages]


async def claimed(slack) -> Cards:  # noqa: ANN001, F811
    cards = await new_request(slack)
    await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    await slack.settled()
    return cards


async def waiting_for_info(slack, question: str = "¿Qué número tiene la factura?") -> Cards:  # noqa: ANN001, F811
    cards = await claimed(slack)
    await through_modal(slack, MARTA, FACTURACION, cards.team, "request.ask_info", {"question": question})
    return cards


async def resolved(slack) -> Cards:  # noqa: ANN001, F811
    cards = await claimed(slack)
    await through_modal(slack, MARTA, FACTURACION, cards.team, "request.resolve", {"note": "Factura corregida"})
    return cards


def thread_reply(user: str, channel: str, thread_ts: str, text: str, channel_type: str) -> dict:
    return wire.message_event(text, user_id=user, channel_id=channel, ts=unique("1700000500."),
                              thread_ts=thread_ts, channel_type=channel_type)


# ------------------------------------------------------------------ creating


async def test_slash_command_posts_the_card_in_the_team_intake_channel(slack):  # noqa: F811
    answer = await slack.answer(ANA, "@facturacion corregir la factura de #ACME !alta")
    assert "Creado PED-1 para Facturación" in answer["text"]
    await slack.settled()
    [card] = slack.top_level(FACTURACION)
    assert card["text"].startswith("PED-1 · Facturación")
    shown = str(card["blocks"])
    assert "Ana García Ruiz" in shown and "Alta" in shown and "ACME" in shown
    assert REGISTRY.context("request.claim", slack.button(FACTURACION, card["ts"], "request.claim")["value"]).id == 1
    request = await the_request(slack)
    assert (request.status, request.priority, request.customer) == ("new", "high", "ACME")


async def test_the_requester_gets_her_card_in_a_dm_posted_to_her_user_id(slack):  # noqa: F811
    await new_request(slack)
    # Posted to her user id, Slack's own DM with her; no conversations.open (Tier 3) first.
    assert slack.fake.calls_to("conversations.open") == []
    assert ANA in [call.args["channel"] for call in slack.fake.calls_to("chat.postMessage")]
    [dm_card] = slack.top_level(DM_ANA)
    assert dm_card["text"].startswith("Tu pedido PED-1 a Facturación")
    # Her card lets her comment; the team's buttons are not hers.
    slack.button(DM_ANA, dm_card["ts"], "request.comment")
    assert "request.claim" not in str(dm_card["blocks"])


# ------------------------------------------------------------------ claiming


async def test_claim_edits_both_cards_and_tells_the_requester_in_her_thread(slack):  # noqa: F811
    cards = await new_request(slack)
    status, _ = await slack.press(MARTA, FACTURACION, cards.team, "request.claim")
    assert status == 200
    await slack.settled()
    edited = {(call.args["channel"], call.args["ts"]) for call in slack.fake.calls_to("chat.update")}
    assert edited == {(FACTURACION, cards.team), (DM_ANA, cards.requester)}
    assert "Marta López Fernández" in card_text(slack, FACTURACION, cards.team)
    assert "request.claim" not in card_text(slack, FACTURACION, cards.team)
    assert "Marta López Fernández" in card_text(slack, DM_ANA, cards.requester)
    assert texts(slack.thread(DM_ANA, cards.requester)) == ["Marta López Fernández se encarga de PED-1."]
    assert len(slack.top_level(FACTURACION)) == 1  # edited in place, never posted again
    assert (await the_request(slack)).status == "in_progress"


# ------------------------------------------------------- asking for information


async def test_ask_info_button_opens_a_modal_asking_for_the_question(slack):  # noqa: F811
    cards = await claimed(slack)
    status, _ = await slack.press(MARTA, FACTURACION, cards.team, "request.ask_info", trigger="trig-ask")
    assert status == 200
    [opened] = await slack.fake.wait_for_calls("views.open")
    assert opened.args["trigger_id"] == "trig-ask"
    view = opened.args["view"]
    assert view["title"]["text"] == "Pedir info · PED-1"  # within Slack's 24 characters, ref included
    assert [block["block_id"] for block in view["blocks"]] == ["question"]
    assert view["blocks"][0]["optional"] is False
    assert (await the_request(slack)).status == "in_progress"  # nothing changes until it is sent


async def test_ask_info_submission_pauses_the_request_and_reaches_the_requester(slack):  # noqa: F811
    cards = await claimed(slack)
    ack = await through_modal(slack, MARTA, FACTURACION, cards.team, "request.ask_info",
                              {"question": "¿Qué número tiene la factura?"})
    assert ack == ""  # an empty ack closes the modal
    assert (await the_request(slack)).status == "waiting_info"
    assert "Esperando información" in card_text(slack, DM_ANA, cards.requester)
    assert "Esperando información" in card_text(slack, FACTURACION, cards.team)
    notice = slack.thread(DM_ANA, cards.requester)[-1]["text"]
    assert "Marta López Fernández necesita información para PED-1: ¿Qué número tiene la factura?" in notice


async def test_requester_reply_in_her_dm_thread_reaches_the_team_thread_as_hers(slack):  # noqa: F811
    cards = await waiting_for_info(slack)
    reply = thread_reply(ANA, DM_ANA, cards.requester, "Es la F-2024-118", channel_type="im")
    status, _ = await slack.event(reply, event_id=unique("Ev"))
    assert status == 200
    await slack.settled()
    assert texts(slack.thread(FACTURACION, cards.team)) == ["Ana García Ruiz: Es la F-2024-118"]
    [answer] = await events_of_kind(slack, "info_provided")
    assert answer.text == "Es la F-2024-118"
    assert (await the_request(slack)).status == "in_progress"  # her answer restarts the clock


async def test_team_reply_in_the_channel_thread_reaches_the_requesters_dm_thread(slack):  # noqa: F811
    cards = await claimed(slack)
    reply = thread_reply(SARA, FACTURACION, cards.team, "Lo miramos esta tarde", channel_type="channel")
    status, _ = await slack.event(reply, event_id=unique("Ev"))
    assert status == 200
    await slack.settled()
    assert texts(slack.thread(DM_ANA, cards.requester))[-1] == "Sara Ruiz Moreno: Lo miramos esta tarde"
    [comment] = await events_of_kind(slack, "commented")
    assert comment.text == "Lo miramos esta tarde"


async def test_a_team_reply_also_sent_to_the_channel_still_reaches_the_requester(slack):  # noqa: F811
    cards = await claimed(slack)
    reply = thread_reply(SARA, FACTURACION, cards.team, "Corregida, os la reenvío", channel_type="channel")
    reply["subtype"] = "thread_broadcast"  # "Also send to #channel" ticked
    await slack.event(reply, event_id=unique("Ev"))
    await slack.settled()
    assert texts(slack.thread(DM_ANA, cards.requester))[-1] == "Sara Ruiz Moreno: Corregida, os la reenvío"


async def test_a_strangers_reply_in_the_team_thread_is_refused_to_them_alone(slack):  # noqa: F811
    cards = await claimed(slack)
    before = len(slack.thread(DM_ANA, cards.requester))
    reply = thread_reply(JAMES, FACTURACION, cards.team, "I have an opinion", channel_type="channel")
    await slack.event(reply, event_id=unique("Ev"))
    await slack.settled()
    [note] = slack.fake.calls_to("chat.postEphemeral")
    assert (note.args["user"], note.args["channel"], note.args["thread_ts"]) == (JAMES, FACTURACION, cards.team)
    assert "PED-1" in note.args["text"]
    assert len(slack.thread(DM_ANA, cards.requester)) == before
    assert await events_of_kind(slack, "commented") == []


async def test_the_bots_own_messages_in_a_card_thread_are_not_comments(slack):  # noqa: F811
    cards = await claimed(slack)
    echo = thread_reply("UBOT", DM_ANA, cards.requester, "Marta López Fernández se encarga de PED-1.", "im")
    echo["bot_id"] = "BBOT"
    status, _ = await slack.event(echo, event_id=unique("Ev"))
    assert status == 200
    await slack.settled()
    assert slack.thread(FACTURACION, cards.team) == []
    assert await events_of_kind(slack, "commented") == []


# ------------------------------------------------------------ resolving, rating


async def test_resolve_through_the_modal_tells_the_requester_and_asks_for_a_rating(slack):  # noqa: F811
    cards = await claimed(slack)
    ack = await through_modal(slack, MARTA, FACTURACION, cards.team, "request.resolve", {"note": "Factura corregida"})
    assert ack == ""
    assert (await the_request(slack)).status == "resolved"
    notice, prompt = slack.thread(DM_ANA, cards.requester)[-2:]
    assert notice["text"] == "Marta López Fernández ha resuelto PED-1: Factura corregida"
    assert "¿Cómo valoras el servicio?" in prompt["text"]
    [buttons] = [block["elements"] for block in prompt["blocks"] if block["type"] == "actions"]
    assert [(c.id, c.arg) for c in (REGISTRY.context("request.rate", b["value"]) for b in buttons)] == [
        (1, "1"), (1, "2"), (1, "3"), (1, "4"), (1, "5")]
    assert [b["action_id"] for b in buttons] == [f"request.rate:{i}" for i in range(5)]
    # The requester's card now offers to reopen; the team's card has no buttons left.
    slack.button(DM_ANA, cards.requester, "request.reopen")
    assert "'actions'" not in card_text(slack, FACTURACION, cards.team)


async def test_rating_button_records_the_score_and_offers_a_comment(slack):  # noqa: F811
    cards = await resolved(slack)
    prompt = slack.thread(DM_ANA, cards.requester)[-1]
    status, _ = await slack.click(ANA, "request.rate:4", "1:5", channel_id=DM_ANA, message_ts=prompt["ts"],
                                  hook="rate")
    assert status == 200
    await slack.settled()
    [thanks] = slack.fake.responses_to("rate")
    assert thanks["response_type"] == "ephemeral"
    assert thanks["text"] == "¡Gracias por tu valoración de PED-1!"
    assert "request.rate_comment:0" in str(thanks["blocks"])
    async with slack.sessions() as session:
        [rating] = (await session.exec(select(RequestRating))).all()
    assert (rating.score, rating.comment) == (5, None)
    assert texts(slack.thread(FACTURACION, cards.team))[-1] == "Valoración de PED-1: ★★★★★"


async def test_rating_comment_modal_saves_the_comment_and_tells_the_team(slack):  # noqa: F811
    cards = await resolved(slack)
    prompt = slack.thread(DM_ANA, cards.requester)[-1]
    await slack.click(ANA, "request.rate:3", "1:4", channel_id=DM_ANA, message_ts=prompt["ts"], hook="rate")
    await slack.settled()
    [thanks] = slack.fake.responses_to("rate")
    [button] = [e for b in thanks["blocks"] if b["type"] == "actions" for e in b["elements"]]
    opened = len(slack.fake.calls_to("views.open"))
    await slack.click(ANA, button["action_id"], button["value"], trigger=unique("trig-"), is_ephemeral=True)
    view = await slack.modal(opened + 1)
    assert view["title"]["text"] == "Tu opinión · PED-1"
    status, ack = await slack.submit(ANA, view, {"comment": "Rápidos y claros"})
    assert (status, ack) == (200, "")
    await slack.settled()
    async with slack.sessions() as session:
        [rating] = (await session.exec(select(RequestRating))).all()
    assert (rating.score, rating.comment) == (4, "Rápidos y claros")
    assert texts(slack.thread(FACTURACION, cards.team))[-1] == (
        "Comentario a la valoración de PED-1: Rápidos y claros")


async def test_reopen_from_the_requesters_card_reopens_and_tells_the_team(slack):  # noqa: F811
    cards = await resolved(slack)
    status, _ = await slack.press(ANA, DM_ANA, cards.requester, "request.reopen")
    assert status == 200
    await slack.settled()
    assert (await the_request(slack)).status == "in_progress"
    assert texts(slack.thread(FACTURACION, cards.team))[-1] == "Ana García Ruiz ha reabierto PED-1."
    assert "En curso" in card_text(slack, FACTURACION, cards.team)
    slack.button(FACTURACION, cards.team, "request.resolve")  # the team can act on it again
    assert "request.reopen" not in card_text(slack, DM_ANA, cards.requester)
