"""A team whose intake is a private channel (a G… id): its cards arrive
there, and replies in a card's thread (message.groups events, which need
groups:history) reach the requester as in a public channel."""

from __future__ import annotations

from sqlmodel import select

from adapters.slack.listeners import BOT_EVENTS, BOT_SCOPES
from adapters.slack.manifest import build_manifest
from storage.models import Team
from tests.harness import slack_wire as wire
from tests.harness.slack_env import ANA, DM_ANA, SARA, slack, unique  # noqa: F401  (slack: fixture)
from tests.harness.slack_standin import fake_slack  # noqa: F401

PRIVATE = "G0FACTPRIV"


def test_the_manifest_asks_for_private_channel_history_and_events():
    manifest = build_manifest()
    assert "groups:history" in manifest["oauth_config"]["scopes"]["bot"] and "groups:history" in BOT_SCOPES
    assert "message.groups" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "message.groups" in BOT_EVENTS


async def test_a_reply_in_a_private_intake_thread_reaches_the_requester(slack):  # noqa: F811
    async with slack.sessions() as session, session.begin():
        team = (await session.exec(select(Team).where(Team.slug == "facturacion"))).one()
        team.intake = {"slack": PRIVATE}
        session.add(team)
    status, _ = await slack.command(ANA, "@facturacion corregir la factura de #ACME", trigger=unique("t-"),
                                    hook=unique("h-"))
    assert status == 200
    await slack.settled()
    [card] = slack.top_level(PRIVATE)
    assert "PED-1" in str(card)
    reply = wire.message_event("Lo miramos esta tarde", user_id=SARA, channel_id=PRIVATE, ts=unique("1700000500."),
                               thread_ts=card["ts"], channel_type="group")
    status, _ = await slack.event(reply, event_id=unique("Ev"))
    assert status == 200
    await slack.settled()
    dm_card = slack.top_level(DM_ANA)[-1]
    assert [m["text"] for m in slack.thread(DM_ANA, dm_card["ts"])][-1] == "Sara Ruiz Moreno: Lo miramos esta tarde"
