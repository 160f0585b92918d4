"""Pedir on Slack, end to end: signed requests in, Web API calls out."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Request
from tests.slack_env import ANA, FACTURACION, MARTA, slack  # noqa: F401
from tests.slack_standin import fake_slack  # noqa: F401


async def test_a_request_made_and_claimed_on_slack(slack):  # noqa: F811
    status, _ = await slack.command(ANA, "@facturacion corregir la factura de #ACME !alta")
    assert status == 200
    [answer] = await slack.fake.wait_for_responses(1)
    assert answer["response_type"] == "ephemeral" and "Creado PED-1 para Facturación" in answer["text"]
    posts = await slack.fake.wait_for_calls("chat.postMessage", 2)
    channels = {call.args["channel"] for call in posts}
    assert FACTURACION in channels
    assert posts[0].token == "xoxb-e2e-token-not-for-logs"

    status, _ = await slack.click(MARTA, "request.claim:0", "1")
    assert status == 200
    updates = await slack.fake.wait_for_calls("chat.update", 2)
    assert any("Marta López" in str(call.args["blocks"]) for call in updates)
    async with slack.sessions() as session:
        request = (await session.exec(select(Request))).one()
    assert request.status == "in_progress"
