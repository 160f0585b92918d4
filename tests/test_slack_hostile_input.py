"""POST /slack/events under hostile or malformed input: answered calmly.

Unsigned requests are refused (401) before their body is read as anything,
whatever they hold; signed bodies that are not Slack payloads get a 400; signed
payloads of the wrong shape are acknowledged and ignored (200), or answered
with a clear message in the person's language. Never a 500, a 404, a
traceback, or a row in the database from any of them.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import random
import time
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from adapters.slack.blocks import form_values, parse_action_id
from adapters.slack.replies import FORM_CALLBACK, read_metadata
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import INVALID, NOTHING, Subject, decode, make
from storage.models import Request
from tests.harness import slack_wire as wire
from tests.harness.slack_env import (  # noqa: F401  (slack: fixture)
    ANA,
    FACTURACION,
    JAMES,
    SECRET,
    new_request,
    slack,
    unique,
)
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.waiting import eventually

GATE_LOGGER = "adapters.slack"
REQUEST = Subject("request")
MARKER = "<!channel> hostile-marker"  # in payloads; must never reach a log line
HUGE_NUMBER = "9" * 5000  # past Python's 4300-digit int() limit
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# ------------------------------------------------------------------ helpers


def signature(timestamp: str, body: bytes, secret: str = SECRET) -> str:
    """Slack's v0 signature over raw bytes (slack_wire.sign takes text only)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def headers_for(body: bytes, *, timestamp: str | None = None, secret: str = SECRET,
                content_type: str = wire.FORM) -> dict[str, str]:
    ts = str(int(time.time())) if timestamp is None else timestamp
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(ts, body, secret)}


async def post_raw(slack, body: bytes, headers: dict[str, str]) -> int:  # noqa: ANN001, F811
    async with slack.http.post(slack.url, data=body, headers=headers) as resp:
        await resp.read()
        return resp.status


def assert_calm(caplog) -> None:  # noqa: ANN001
    """Nothing at ERROR or above and no traceback, from the server or anything under it."""
    troubles = [f"{r.name} {r.levelname}: {r.getMessage()[:200]}" for r in caplog.records
                if r.levelno >= logging.ERROR or r.exc_info]
    assert troubles == []
    assert "Traceback" not in caplog.text


def assert_gate_logs_no_content(caplog) -> None:  # noqa: ANN001
    gate_lines = [r.getMessage() for r in caplog.records if r.name.startswith(GATE_LOGGER)]
    assert not any(MARKER in line or "99999999" in line for line in gate_lines), gate_lines


async def row_counts(slack) -> dict[str, int]:  # noqa: ANN001, F811
    """How many rows every table holds: the database's state, as far as a flood could change it."""
    async with slack.sessions() as session:
        return {table.name: (await session.exec(select(func.count()).select_from(table))).one()
                for table in SQLModel.metadata.sorted_tables}


async def rows(slack, model) -> list:  # noqa: ANN001, F811
    async with slack.sessions() as session:
        return list((await session.exec(select(model))).all())


async def one_response(slack, hook: str) -> dict[str, Any]:  # noqa: ANN001, F811
    await eventually(lambda: slack.fake.responses_to(hook), f"an answer at {hook}")
    return slack.fake.responses_to(hook)[0]


def internal_error_texts() -> set[str]:
    return {t("es", "error.internal"), t("en", "error.internal")}


def answers_shown(slack) -> list[str]:  # noqa: ANN001, F811
    """Every text Pedir showed anyone: ephemeral answers and direct messages."""
    shown = [json.dumps(body, ensure_ascii=False) for body in slack.fake.responses]
    shown += [json.dumps(call.args, ensure_ascii=False) for call in slack.fake.calls
              if call.method in ("chat.postMessage", "chat.postEphemeral", "views.open")]
    return shown


# ------------------------------------------------- unauthenticated requests


async def test_a_malformed_timestamp_is_refused_with_401_and_no_traceback(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    body = wire.slash_command_body(text="@facturacion corregir", user_id=ANA).encode()
    now = int(time.time())
    # Each signed over its own timestamp: the timestamp is the only fault.
    # int() would take several of these as the current time.
    for timestamp in ("abc", "", "1e9", f"{now:_}", f" {now}", f"{now} ", f"+{now}", "-1", "9" * 40,
                      str(now).translate(ARABIC_DIGITS), str(now - 6 * 60), str(now + 6 * 60), f"{now}.5"):
        status = await post_raw(slack, body, headers_for(body, timestamp=timestamp))
        assert status == 401, timestamp
    assert_calm(caplog)
    assert slack.fake.responses == []


async def test_a_malformed_signature_is_refused_with_401(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    body = wire.slash_command_body(text="ayuda", user_id=ANA).encode()
    good = headers_for(body)
    for forged in ("", "v0=", "v0=zz", good["X-Slack-Signature"].upper(), "v1" + good["X-Slack-Signature"][2:],
                   good["X-Slack-Signature"] + "0", "v0=ñ" + good["X-Slack-Signature"][5:]):
        status = await post_raw(slack, body, {**good, "X-Slack-Signature": forged})
        assert status == 401, forged
    missing = {key: value for key, value in good.items() if key != "X-Slack-Signature"}
    assert await post_raw(slack, body, missing) == 401
    missing = {key: value for key, value in good.items() if key != "X-Slack-Request-Timestamp"}
    assert await post_raw(slack, body, missing) == 401
    assert_calm(caplog)
    assert slack.fake.responses == []


UNREADABLE_BODIES = {
    "not JSON": (b'{"type": "event_callback", "event": ', wire.JSON),
    "invalid UTF-8": (b"payload=\xff\xfe%7B%7D\xc3\x28", wire.FORM),
    "invalid UTF-8 in JSON": (b'{"type": "url_verification", "challenge": "\xff\xff"}', wire.JSON),
    "deeply nested JSON": (b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}", wire.JSON),
    "moderately deep JSON": (b'{"type":"event_callback","event":' + b'{"a":' * 200 + b"1" + b"}" * 201,
                             wire.JSON),
    "deeply nested payload": (b"payload=" + quote('{"type":"block_actions","a":' + "[" * 50_000 + "]" * 50_000
                                                  + "}").encode(),
                              wire.FORM),
    "payload that is not JSON": (b"payload=%7Bnope", wire.FORM),
    "payload that is a list": (b"payload=%5B1%2C2%5D", wire.FORM),
    "JSON that is a list": (b"[1, 2, 3]", wire.JSON),
    "JSON that is a string": (b'"event_callback"', wire.JSON),
    "a form with no Slack field": (b"hello=world&x=1", wire.FORM),
    "plain text": (b"hello world", "text/plain"),
    "empty": (b"", wire.FORM),
    "thousands of form fields": (b"&".join(b"f%d=1" % i for i in range(5000)), wire.FORM),
    "a huge number in JSON": (b'{"type":"event_callback","n":' + HUGE_NUMBER.encode() + b"}", wire.JSON),
}


async def test_unsigned_garbage_is_refused_before_it_is_read(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    # A gate that parsed first would answer these 400 (or fail): 401 shows the signature came first.
    for name, (body, content_type) in UNREADABLE_BODIES.items():
        headers = headers_for(body, secret="not-the-signing-secret", content_type=content_type)
        assert await post_raw(slack, body, headers) == 401, name
    assert_calm(caplog)


async def test_signed_bodies_that_are_not_slack_payloads_get_400(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    before = await row_counts(slack)
    for name, (body, content_type) in UNREADABLE_BODIES.items():
        assert await post_raw(slack, body, headers_for(body, content_type=content_type)) == 400, name
    assert_calm(caplog)
    await slack.listeners_idle()
    assert await row_counts(slack) == before
    # Slack heard nothing but the token check made at start.
    assert [c.method for c in slack.fake.calls] == ["auth.test"] and slack.fake.responses == []


async def test_a_body_over_a_megabyte_is_refused_unread(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    body = urlencode({"payload": json.dumps({"type": "block_actions", "pad": "x" * (2 * 1024 * 1024)})}).encode()
    assert await post_raw(slack, body, headers_for(body)) == 413
    assert_calm(caplog)


async def test_ssl_check_and_url_verification_still_work(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    body = urlencode({"ssl_check": "1", "token": wire.VERIFICATION_TOKEN}).encode()
    assert await post_raw(slack, body, headers_for(body)) == 200
    assert await post_raw(slack, body, headers_for(body, secret="forged")) == 401
    status, text = await slack.post(wire.url_verification_body("3eZbrw1aBm2rZgRNFdxV"))
    assert (status, json.loads(text)) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV"})
    assert_calm(caplog)


async def test_a_command_whose_text_says_payload_is_still_heard(slack):  # noqa: F811
    # Bolt reads any form holding the word "payload" as an interactivity payload,
    # finds none and drops the command; the gate's own reading is the one used.
    status, _ = await slack.command(ANA, "@facturacion revisar el payload de la API de #ACME", hook="payload")
    assert status == 200
    await slack.settled()
    [request] = await rows(slack, Request)
    assert "payload" in request.description


# ------------------------------------------------- signed, malformed payloads

DELETE = object()  # a mutation that removes the field


def mutated(base: dict[str, Any], changes: list[tuple[tuple, Any]]) -> dict[str, Any]:
    """A copy of `base` with each (path, value) applied; DELETE removes; a missing parent is skipped."""
    payload = copy.deepcopy(base)
    for path, value in changes:
        parent: Any = payload
        for step in path[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if not isinstance(parent, (dict, list)):
            continue
        last = path[-1]
        if isinstance(parent, list) and not (isinstance(last, int) and last < len(parent)):
            continue
        if value is DELETE:
            if isinstance(parent, dict):
                parent.pop(last, None)
        else:
            parent[last] = copy.deepcopy(value)
    return payload


def corpus(singles: list[tuple[tuple, Any]], size: int, seed: int) -> list[list[tuple[tuple, Any]]]:
    """Every single mutation, then seeded pairs and triples of them up to `size` cases."""
    cases = [[single] for single in singles]
    rng = random.Random(seed)
    while len(cases) < size:
        cases.append(rng.sample(singles, rng.choice((2, 3))))
    return cases


ODD_USERS = [DELETE, None, ANA, 42, [], {}, {"id": 42}, {"id": None}, {"id": ""}, {"id": [ANA]},
             {"id": HUGE_NUMBER}, {"id": MARKER}, {"name": "ana"}]


def json_context(action: str, kind: str, raw_id: str) -> str:
    """An encoded context with a hand-written id (any JSON text)."""
    return '{"v":1,"a":"%s","k":"%s","id":%s}' % (action, kind, raw_id)


def view_singles() -> list[tuple[tuple, Any]]:
    comment = "request.comment"
    metadata = [
        DELETE, None, 7, [], {}, "{", "[]", "null", '"x"', '{"form": 5}', '{"form": null}', '{"form": ["request.new"]}',
        '{"form":"request.new","context":{"x":1}}', '{"form":"request.new","context":5}', '{"form":"nope.nope"}',
        "x" * 5000, "[" * 2500 + "]" * 2500, json.dumps({"form": comment, "context": HUGE_NUMBER}),
        json.dumps({"form": comment, "context": json_context(comment, "request", "9" * 3000)}),
        json.dumps({"form": comment, "context": json_context(comment, "request", "9" * 1000)}),
        json.dumps({"form": comment, "context": json_context(comment, "request", "true")}),
        json.dumps({"form": comment, "context": json_context(comment, "request", "-1")}),
        json.dumps({"form": comment, "context": json_context(comment, "request", '"7"')}),
        json.dumps({"form": comment, "context": json_context(comment, "request", "[" * 900 + "]" * 900)}),
        json.dumps({"form": comment, "context": "٣"}), json.dumps({"form": comment, "context": "0"}),
        json.dumps({"form": comment, "context": MARKER}),
    ]
    text = {"type": "plain_text_input"}
    select_ = {"type": "static_select"}
    values = [
        {"b": "x"}, {"b": None}, {"b": []}, {"b": {"a": "x"}}, {"b": {"a": None}}, {"b": {"a": []}},
        {"description": {"d": {**text, "value": 5}}}, {"description": {"d": {**text, "value": [MARKER]}}},
        {"description": {"d": {**text, "value": {"x": 1}}}}, {"description": {"d": {**text, "value": HUGE_NUMBER}}},
        {"team": {"t": {**select_, "selected_option": "facturacion"}}},
        {"team": {"t": {**select_, "selected_option": {"value": 7}}}},
        {"team": {"t": {**select_, "selected_option": []}}}, {"team": {"t": {**select_, "selected_option": {}}}},
        {"due": {"d": {"type": "datepicker", "selected_date": 5}}}, {"": {"": {}}},
        {"description": {"d": {"type": 5, "value": MARKER}}},
    ]
    singles: list[tuple[tuple, Any]] = [(("user",), user) for user in ODD_USERS]
    singles += [(("view",), view) for view in (DELETE, None, "view", [], {}, 7)]
    singles += [(("view", "id"), v) for v in (DELETE, 5, None, [])]
    singles += [(("view", "callback_id"), v) for v in (DELETE, 5, None)]
    singles += [(("view", "type"), v) for v in (DELETE, 5)]
    singles += [(("view", "hash"), v) for v in (5, [])]
    singles += [(("view", "state"), v) for v in (DELETE, None, "x", [], {}, {"values": None}, {"values": []},
                                                 {"values": "x"})]
    singles += [(("view", "state", "values"), v) for v in values]
    singles += [(("view", "private_metadata"), v) for v in metadata]
    singles += [(("type",), v) for v in (DELETE, None, 5, "view_submission ")]
    singles += [(("team",), 5), (("team",), []), (("enterprise",), 5), (("channel",), 5)]
    singles += [(("response_urls",), v) for v in ("x", [1], None, [{"response_url": 5}])]
    singles += [(("trigger_id",), v) for v in (5, None)]
    return singles


def block_action_singles() -> list[tuple[tuple, Any]]:
    claim = "request.claim"
    value_odd = [
        None, 5, 5.5, True, [], {}, [MARKER], HUGE_NUMBER, "9" * 1500, "9" * 40, "0", "-1", "٣", "1:" + "x" * 5000,
        "{", "[]", "{}", '{"v":1}', '{"v":2,"a":"request.claim","k":"request","id":1}',
        json_context(claim, "request", "9" * 3000), json_context(claim, "request", "9" * 1000),
        json_context(claim, "request", "true"), json_context(claim, "request", "-5"),
        json_context(claim, "request", "1.5"), json_context(claim, "request", '"7"'),
        json_context(claim, "request", "[" * 900 + "]" * 900), "\u0000", MARKER, " " * 3000,
    ]
    singles: list[tuple[tuple, Any]] = [(("user",), user) for user in ODD_USERS]
    singles += [(("actions",), v) for v in (DELETE, None, "x", [], [None], [claim + ":0"], [[]], [{}], 5)]
    singles += [(("actions", 0, "action_id"), v) for v in (
        DELETE, None, 5, ["a"], {"a": 1}, "", "zzz", "request.nope:0", claim + ":" + HUGE_NUMBER, "x" * 300,
        claim + ":٣", claim + ":-1", "route.pick:0", "request.open_form:0" + "x" * 40)]
    singles += [(("actions", 0, "value"), v) for v in value_odd]
    singles += [(("actions", 0, "block_id"), 5), (("actions", 0, "action_ts"), 5), (("actions", 0, "type"), [])]
    singles += [(("type",), v) for v in (DELETE, None, 5, "block_action")]
    singles += [(("trigger_id",), v) for v in (5, [])]
    singles += [(("response_url",), v) for v in (5, None, "not a url", ["x"])]
    singles += [(("channel",), 5), (("channel",), []), (("team",), 5), (("enterprise",), 5),
                (("container",), "x"), (("state",), "x"), (("message",), "x"), (("view",), "x")]
    return singles


async def flood(slack, payloads: list[dict[str, Any]]) -> list[int]:  # noqa: ANN001, F811
    """Posts every payload signed, a few at a time; their statuses in order."""
    statuses: list[int] = []
    for start in range(0, len(payloads), 8):
        batch = payloads[start:start + 8]
        answers = await asyncio.gather(*(slack.post(wire.interactivity_body(p)) for p in batch))
        statuses += [status for status, _ in answers]
    return statuses


def assert_answered_calmly(statuses: list[int]) -> None:
    odd = {status for status in statuses if status != 200 and not (400 <= status < 500 and status != 404)}
    assert odd == set(), f"{len(statuses)} cases, odd statuses {sorted(odd)}"


async def test_a_flood_of_malformed_modal_submissions_stores_nothing(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    before = await row_counts(slack)
    # The base is a new-request form with nothing filled in: even intact it would
    # come back with field errors; each case breaks something more.
    base = wire.view_submission(user_id=ANA, callback_id=FORM_CALLBACK, view_id="V0HOSTILE",
                                private_metadata=json.dumps({"form": "request.new", "context": ""}))
    cases = corpus(view_singles(), size=130, seed=10)
    payloads = [mutated(base, case) for case in cases]
    # The metadata cases again, from an English speaker.
    payloads += [mutated(base, case + [(("user", "id"), JAMES)]) for case in cases
                 if len(case) == 1 and case[0][0] == ("view", "private_metadata")]
    await flood_stays_calm(slack, payloads, caplog, before)
    to_james = [c.args["text"] for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == JAMES]
    assert to_james and not any("«" in text or "/pedir ayuda" in text for text in to_james)  # English, not Spanish
    # After all that, Pedir still works.
    await new_request(slack)
    assert len(await rows(slack, Request)) == 1


async def flood_stays_calm(slack, payloads: list[dict], caplog, before: dict) -> None:  # noqa: ANN001, F811
    """Every malformed payload answered calmly, nothing logged loudly, nothing stored."""
    assert len(payloads) >= 100
    statuses = await flood(slack, payloads)
    await slack.listeners_idle()
    assert_answered_calmly(statuses)
    assert_calm(caplog)
    assert_gate_logs_no_content(caplog)
    assert await row_counts(slack) == before
    assert not any(text in shown for shown in answers_shown(slack) for text in internal_error_texts())


async def test_a_flood_of_malformed_button_clicks_stores_nothing(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    before = await row_counts(slack)
    # The base claims request 999, which does not exist: even intact it changes nothing.
    base = wire.block_actions(user_id=ANA, action_id="request.claim:0", value=make("request.claim", REQUEST, 999),
                              response_url=slack.fake.response_url("flood"), channel_id=FACTURACION)
    cases = corpus(block_action_singles(), size=140, seed=10)
    payloads = []
    for case in cases:
        payload = mutated(base, case)
        if isinstance(payload.get("actions"), list) and payload["actions"] and isinstance(payload["actions"][0], dict):
            payload["actions"][0]["action_ts"] = unique("1700000002.")  # each a new click, not a replay
        payloads.append(payload)
    await flood_stays_calm(slack, payloads, caplog, before)
    await new_request(slack)
    assert len(await rows(slack, Request)) == 1


async def test_an_absurd_button_value_is_answered_in_the_clickers_language(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    for user, locale in ((ANA, "es"), (JAMES, "en")):
        for value in (HUGE_NUMBER, "9" * 100, json_context("request.claim", "request", "9" * 1500)):
            hook = unique("absurd-")
            status, _ = await slack.click(user, "request.claim:0", value, hook=hook, action_ts=unique("1700000003."))
            assert status == 200
            answer = await one_response(slack, hook)
            assert answer["text"] == t(locale, INVALID), (user, value[:20])
    assert_calm(caplog)


async def test_a_modal_whose_metadata_is_not_ours_is_answered_in_the_submitters_language(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    for user, locale in ((ANA, "es"), (JAMES, "en")):
        for metadata in ("[" * 2500 + "]" * 2500, '{"form": 5}', "x" * 5000):
            payload = wire.view_submission(user_id=user, callback_id=FORM_CALLBACK, private_metadata=metadata,
                                           view_id=unique("V0META"))
            assert await slack.post(wire.interactivity_body(payload)) == (200, "")
    dms = await slack.fake.wait_for_calls("chat.postMessage", 6)
    assert sorted((dm.args["channel"], dm.args["text"]) for dm in dms) == sorted(
        [(ANA, t("es", INVALID))] * 3 + [(JAMES, t("en", INVALID))] * 3)
    assert_calm(caplog)


async def test_a_signed_click_with_an_odd_shape_is_acknowledged_and_ignored(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    payload = wire.block_actions(user_id=ANA, action_id="request.claim:0", value=5,  # type: ignore[arg-type]
                                 response_url=slack.fake.response_url("odd"))
    status, text = await slack.post(wire.interactivity_body(payload))
    assert (status, text) == (200, "")
    warnings = [r for r in caplog.records if r.name.startswith(GATE_LOGGER) and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "actions" in warnings[0].getMessage()
    await slack.listeners_idle()
    assert slack.fake.responses_to("odd") == [] and [c.method for c in slack.fake.calls] == ["auth.test"]  # at start


async def test_a_click_on_a_button_nobody_listens_for_is_acknowledged(slack, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    # Bolt answers 404, and Slack would show the person an error: acknowledged and ignored instead.
    status, text = await slack.click(ANA, "retired.button:0", "7", hook="retired")
    assert (status, text) == (200, "")
    await slack.listeners_idle()
    assert slack.fake.responses_to("retired") == []
    assert_calm(caplog)


# ------------------------------------------------- the parsers on their own


def test_decode_refuses_odd_values_as_invalid_never_crashing():
    for raw in (5, 5.5, True, [], {}, ["1"], HUGE_NUMBER, "1:" + "x" * 5000, " " * 3000 + "1",
                json_context("request.claim", "request", "9" * 3000),
                '{"a":' + "[" * 997 + "]" * 997 + "}"):  # as deep as 2,000 characters go
        with pytest.raises(UserError) as refused:
            decode(raw, "request.claim", REQUEST)  # type: ignore[arg-type]
        assert refused.value.key == INVALID, repr(raw)[:40]


def test_decode_refuses_an_overlong_or_foreign_digit_id():
    for raw in ("9" * 41, "9" * 1999, json_context("request.claim", "request", "9" * 1000)):
        with pytest.raises(UserError) as refused:
            decode(raw, "request.claim", REQUEST)
        assert refused.value.key == INVALID  # no typo of an id: not a value Pedir made
    for raw in ("٣", "１", "0", "9" * 11, "x" * 1999,
                json_context("request.claim", "request", '"' + "x" * 1000 + '"')):
        with pytest.raises(UserError) as refused:
            decode(raw, "request.claim", REQUEST)
        assert refused.value.key == REQUEST.bad_id
        assert len(refused.value.values["value"]) <= 40  # quoted back, briefly
    assert decode("7", "request.claim", REQUEST).id == 7
    assert decode(None, "request.open_form", NOTHING).action == "request.open_form"


def test_read_metadata_never_raises():
    for raw in (None, 5, [], {}, "[" * 1500 + "]" * 1500, "[" * 5000, "x" * 5000, '{"form": 5}',
                '{"form": "a", "context": {}}'):
        assert read_metadata(raw) == ("", "")  # type: ignore[arg-type]
    assert read_metadata('{"form":"request.new","context":""}') == ("request.new", "")


def test_form_values_and_action_ids_never_raise():
    odd = {"b": "x", "c": None, "d": {"a": "x"}, "e": {"a": {"type": "plain_text_input", "value": 5}},
           "f": {"a": {"type": "static_select", "selected_option": "x"}},
           "g": {"a": {"type": "static_select", "selected_option": {"value": 7}}},
           "h": {"a": {"type": "plain_text_input", "value": "ok"}}}
    assert form_values(odd) == {"e": "", "f": "", "g": "", "h": "ok"}
    for raw in (None, 5, [], "x"):
        assert form_values(raw) == {}  # type: ignore[arg-type]
    assert parse_action_id("request.rate:3") == "request.rate"
    for raw in (None, 5, [], {}):
        assert parse_action_id(raw) == ""  # type: ignore[arg-type]
