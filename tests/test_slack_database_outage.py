"""What Slack hears while the database is down, for each kind of request
(adapters/slack/failures.py): the slash command's part is proven against a
real PostgreSQL outage in tests/test_faults_database_restart.py; here the
person lookup every listener starts with fails as it does then
(OperationalError), for clicks, forms and events. (Opening the home tab is
left out: it is answered after the ack, and Slack sends it again each time
the tab is opened.)"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import OperationalError

from adapters.slack.identity import SlackDirectory
from adapters.slack.replies import FORM_CALLBACK
from bot.i18n import t
from tests.harness import slack_wire as wire
from tests.harness.slack_env import ANA, FACTURACION, new_request, slack, unique  # noqa: F401  (slack: fixture)
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.waiting import eventually

SORRY = t("es", "error.internal")


async def unreachable(self, user_id: str, fallback_name: str = ""):  # noqa: ANN001, ANN202
    """SlackDirectory.person while the database is down."""
    raise OperationalError("SELECT person", {}, ConnectionRefusedError("connection refused"))


@pytest.fixture
def database_down(monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(SlackDirectory, "person", unreachable)


async def test_a_slash_command_is_acked_with_try_again(slack, database_down):  # noqa: F811
    status, body = await slack.command(ANA, "@facturacion corregir la factura de #ACME", hook=unique("cmd-"))
    assert status == 200
    assert json.loads(body)["text"] == SORRY


async def test_a_click_is_acked_and_told_to_try_again_through_its_response_url(slack, monkeypatch):  # noqa: F811
    channel, ts = FACTURACION, (await new_request(slack)).team
    button = slack.button(channel, ts, "request.claim")
    monkeypatch.setattr(SlackDirectory, "person", unreachable)  # once the request exists
    hook = unique("click-")
    status, body = await slack.click(ANA, button["action_id"], button.get("value", ""), hook=hook,
                                     channel_id=channel, message_ts=ts, trigger=unique("trig-"))
    assert (status, body) == (200, "")
    await eventually(lambda: slack.fake.responses_to(hook), "the try-again answer at the click's response_url")
    answer = slack.fake.responses_to(hook)[0]
    assert answer["text"] == SORRY and answer.get("response_type") == "ephemeral"


async def test_a_form_submitted_is_acked_and_told_to_try_again_in_a_direct_message(slack, database_down):  # noqa: F811
    view = {"id": "V123", "type": "modal", "callback_id": FORM_CALLBACK, "private_metadata": "{}",
            "state": {"values": {}}, "hash": "1", "blocks": []}
    payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": ANA, "name": "ana"},
               "api_app_id": "A1", "token": wire.VERIFICATION_TOKEN, "trigger_id": unique("trig-"), "view": view}
    before = len(slack.fake.calls_to("chat.postMessage"))
    status, body = await slack.post(wire.interactivity_body(payload))
    assert (status, body) == (200, "")

    def told() -> list:
        return [c for c in slack.fake.calls_to("chat.postMessage")[before:] if c.args["channel"] == ANA]
    await eventually(told, "the try-again message in the person's DM")
    assert told()[0].args["text"] == SORRY


async def test_a_direct_message_event_is_not_acknowledged_so_that_slack_sends_it_again(slack, database_down):  # noqa: F811
    event = wire.message_event("@facturacion corregir la factura de #ACME", user_id=ANA, channel_id="D012AB3CD")
    status, _ = await slack.event(event, event_id=unique("Ev"))
    assert status == 503
