"""GET /metrics: not public, in Prometheus's text format, counting what the
issue asks (requests by route and outcome, ack and end-to-end latency,
deliveries by platform and result, 429s by method, nudges sent, tick
durations) and reading the outbox's depth and oldest age at scrape time.
Against the real server and Slack stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metrics import PrometheusObserver, exposition
from adapters.web.observability import outbox_backlog
from adapters.worker import Ticks
from bot import observe
from bot.delivery.outbox import PERSON, enqueue_many, row_values
from bot.observe import after_commit
from storage.models import Request
from tests.harness.slack_env import ANA, FACTURACION, start_env
from tests.harness.slack_standin import fake_slack  # noqa: F401
from tests.harness.support import RecordingChannel
from tests.nudge_support import tick

TOKEN = "metrics-token-4b2e9d"
MADRID = ZoneInfo("Europe/Madrid")


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a scrape: (name, labels) -> value."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def metered(fake_slack, database_url, monkeypatch):  # noqa: ANN001, F811
    """`slack` (tests/harness/slack_env.py) with PEDIR_METRICS_TOKEN set."""
    monkeypatch.setenv("PEDIR_METRICS_TOKEN", TOKEN)
    env, server = await start_env(fake_slack, database_url)
    yield env
    await env.http.close()
    await server.close()


async def get_metrics(env, authorization: str | None = f"Bearer {TOKEN}") -> tuple[int, str, str]:  # noqa: ANN001
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with env.http.get(env.url.replace("/slack/events", "/metrics"), headers=headers) as resp:
        return resp.status, await resp.text(), resp.headers.get("Content-Type", "")


async def scrape(env) -> dict:  # noqa: ANN001
    status, text, _ = await get_metrics(env)
    assert status == 200, text
    return samples(text)


async def test_metrics_is_off_without_a_token(fake_slack, database_url, monkeypatch):  # noqa: ANN001, F811
    monkeypatch.delenv("PEDIR_METRICS_TOKEN", raising=False)
    env, server = await start_env(fake_slack, database_url)
    try:
        status, _, _ = await get_metrics(env, f"Bearer {TOKEN}")
        assert status == 404
    finally:
        await env.http.close()
        await server.close()


@pytest.mark.parametrize("authorization", [None, "", TOKEN, f"Bearer {TOKEN}x", f"Basic {TOKEN}",
                                           f"Bearer {TOKEN[:-1]}", "Bearer "])
async def test_metrics_answers_401_without_the_right_bearer_token(metered, authorization):  # noqa: ANN001
    status, text, _ = await get_metrics(metered, authorization)
    assert status == 401 and "pedir_" not in text


async def test_metrics_in_prometheus_text_format_with_the_token(metered):  # noqa: ANN001
    status, text, content_type = await get_metrics(metered)
    assert status == 200 and content_type.startswith("text/plain; version=")
    scraped = samples(text)
    assert value(scraped, "pedir_database_up") == 1
    assert TOKEN not in text


async def test_a_command_is_counted_from_its_ack_to_its_deliveries(metered):  # noqa: ANN001
    status, _ = await metered.command(ANA, "@facturacion corregir la factura de #ACME")
    assert status == 200
    await metered.settled(homes=True)
    scraped = await scrape(metered)
    assert value(scraped, "pedir_http_requests_total", route="/slack/events", outcome="200") == 1
    assert value(scraped, "pedir_ack_seconds_count", route="/slack/events") == 1
    assert 0 < value(scraped, "pedir_ack_seconds_sum", route="/slack/events") < 10
    sent = value(scraped, "pedir_deliveries_total", platform="slack", result="sent")
    assert sent >= 3  # the team's card, the requester's copy, her home page
    # Every message the command caused, from its arrival to its delivery; home pages apart (debounced).
    assert 2 <= value(scraped, "pedir_end_to_end_seconds_count") < sent
    assert value(scraped, "pedir_end_to_end_seconds_sum") > 0
    assert value(scraped, "pedir_outbox_depth", status="pending") == 0
    assert value(scraped, "pedir_outbox_depth", status="sending") == 0
    assert value(scraped, "pedir_outbox_oldest_age_seconds") == 0
    # The earlier scrape is counted too; a route's values never show up as a label.
    assert value(scraped, "pedir_http_requests_total", route="/metrics", outcome="200") == 0  # counted after answering
    again = await scrape(metered)
    assert value(again, "pedir_http_requests_total", route="/metrics", outcome="200") == 1


async def test_an_unknown_path_is_counted_without_its_path(metered):  # noqa: ANN001
    async with metered.http.get(metered.url.replace("/slack/events", "/wp-admin/secret-123")) as resp:
        assert resp.status == 404
    status, text, _ = await get_metrics(metered)
    assert value(samples(text), "pedir_http_requests_total", route="unmatched", outcome="404") == 1
    assert "secret-123" not in text


async def test_the_outbox_depth_and_oldest_age_are_read_at_scrape_time(metered):  # noqa: ANN001
    queued = datetime.now(UTC) - timedelta(seconds=90)
    later = datetime.now(UTC) + timedelta(days=1)  # not due: the server leaves them waiting
    rows = [row_values(PERSON, 1, {"text": f"m{i}"}, queued) | {"next_attempt_at": later} for i in range(3)]
    async with metered.sessions() as session, session.begin():
        await enqueue_many(session, rows)
    scraped = await scrape(metered)
    assert value(scraped, "pedir_outbox_depth", status="pending") == 3
    assert 90 <= value(scraped, "pedir_outbox_oldest_age_seconds") < 90 + 60


async def test_a_rate_limit_is_counted_by_method_and_the_message_still_goes_out(metered):  # noqa: ANN001
    metered.fake.fail_next("chat.postMessage", status=429, retry_after=1, channel=FACTURACION)
    status, _ = await metered.command(ANA, "@facturacion corregir la factura de #ACME")
    assert status == 200
    await metered.settled()
    assert len(metered.top_level(FACTURACION)) == 1
    scraped = await scrape(metered)
    assert value(scraped, "pedir_rate_limited_total", platform="slack", method="chat.postMessage") == 1
    assert value(scraped, "pedir_deliveries_total", platform="slack", result="rate_limited") == 1


async def test_a_scrape_says_when_the_database_does_not_answer():
    class Down:
        def __call__(self):  # noqa: ANN204
            raise ConnectionRefusedError("no server")

    backlog = await outbox_backlog(Down())
    assert backlog is None
    scraped = samples(exposition(PrometheusObserver(), backlog, datetime.now(UTC)).decode())
    assert value(scraped, "pedir_database_up") == 0
    assert ("pedir_outbox_depth", frozenset({("status", "pending")})) not in scraped


@pytest.fixture
def prometheus() -> PrometheusObserver:  # noqa: ANN201
    """A Prometheus observer installed for the domain's reports during the test."""
    observer = PrometheusObserver()
    previous = observe.install(observer)
    yield observer
    observe.install(previous)


def sample(observer: PrometheusObserver, name: str, **labels: str) -> float:
    return observer.registry.get_sample_value(name, labels) or 0.0


async def test_a_tick_is_timed_even_when_it_fails(prometheus):  # noqa: ANN001
    async def fails() -> None:
        raise RuntimeError("boom")

    async def works() -> None:
        return None

    ticks = Ticks()
    await ticks.tracked(works, "nudges.send")()
    with pytest.raises(RuntimeError):
        await ticks.tracked(fails, "nudges.send")()
    assert sample(prometheus, "pedir_tick_seconds_count", job="nudges.send") == 2
    assert sample(prometheus, "pedir_tick_seconds_count", job="deliver") == 0


async def test_a_nudge_is_counted_once_when_delivered(app, folk, clock, prometheus):  # noqa: ANN001
    channel = RecordingChannel()
    reply = await app.command(folk["ana.garcia"], "/pedir", "@facturacion corregir la factura de #ACME !alta")
    assert reply.message.text.startswith("Creado PED-1")
    await tick(app, channel)
    assert sample(prometheus, "pedir_nudges_sent_total", kind="request.first_response.warn") == 0
    clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=MADRID))  # its first-response warning is due (test_nudges_requests.py)
    await tick(app, channel)
    assert sample(prometheus, "pedir_nudges_sent_total", kind="request.first_response.warn") == 1
    await tick(app, channel)
    assert sample(prometheus, "pedir_nudges_sent_total", kind="request.first_response.warn") == 1
    assert sample(prometheus, "pedir_deliveries_total", platform="test", result="sent") == len(channel.calls)


async def test_a_report_after_commit_is_made_only_when_the_transaction_commits(sessions):  # noqa: ANN001
    reported: list[str] = []
    async with sessions() as session, session.begin():
        after_commit(session, lambda: reported.append("committed"))
        assert await session.get(Request, 1) is None
    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            after_commit(session, lambda: reported.append("rolled back"))
            raise RuntimeError("the item failed")
    assert reported == ["committed"]
