"""Pedir's metrics in Prometheus's text format (prometheus-client).

`PrometheusObserver` is the observer the domain reports to (bot.observe),
plus the HTTP requests that adapters/web/observability.py times. A scrape
adds what only the database knows, read at that moment: the outbox's depth
and the age of its oldest undelivered message (bot.delivery.backlog).

One process: the figures live in the observer's registry, with the process's
own CPU and memory. Several processes (`PROMETHEUS_MULTIPROC_DIR` set to one
directory shared by every `pedir serve` process and `pedir worker` on the
machine, empty when the first one starts): each process writes its figures
to files there, and a scrape of any of them sums every process's
(prometheus-client's multiprocess mode; the variable is read when
prometheus-client is first imported, so it must be set before the process starts).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from bot.delivery.backlog import UNDELIVERED, Backlog
from bot.observe import Observer

# Seconds. An ack must come within Slack's 3 s; a delivery may wait out rate limits and retries.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
END_TO_END_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class PrometheusObserver(Observer):
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # In multiprocess mode the values go to the shared directory, and a scrape reads them all from there.
        registry = None if multiprocess() else self.registry
        if registry is not None:
            ProcessCollector(registry=registry)  # process_cpu_seconds_total, memory, open files
        self.requests = Counter("pedir_http_requests", "HTTP requests answered, by route and status code",
                                ["route", "outcome"], registry=registry)
        self.ack = Histogram("pedir_ack_seconds", "Time to answer an HTTP request (for the webhooks, the ack)",
                             ["route"], buckets=ACK_BUCKETS, registry=registry)
        self.e2e = Histogram("pedir_end_to_end_seconds",
                             "From a command's arrival to the delivery of each message it caused",
                             buckets=END_TO_END_BUCKETS, registry=registry)
        self.deliveries = Counter("pedir_deliveries", "Calls to a platform to deliver a message, by result",
                                  ["platform", "result"], registry=registry)
        self.rate_limits = Counter("pedir_rate_limited", "Rate-limit refusals (429), by platform and API method",
                                   ["platform", "method"], registry=registry)
        self.nudges = Counter("pedir_nudges_sent", "Reminders and escalations delivered, by kind", ["kind"],
                              registry=registry)
        self.ticks = Histogram("pedir_tick_seconds", "Duration of a scheduled tick, by job (deliver: a delivery tick)",
                               ["job"], buckets=TICK_BUCKETS, registry=registry)

    # ------------------------------------------------------ bot.observe.Observer

    def delivered(self, platform: str, result: str) -> None:
        self.deliveries.labels(platform, result).inc()

    def end_to_end(self, seconds: float) -> None:
        self.e2e.observe(max(seconds, 0.0))

    def rate_limited(self, platform: str, method: str) -> None:
        self.rate_limits.labels(platform, method).inc()

    def nudge_sent(self, kind: str) -> None:
        self.nudges.labels(kind).inc()

    def tick(self, job: str, seconds: float) -> None:
        self.ticks.labels(job).observe(seconds)

    # ------------------------------------------------------------------ HTTP

    def request(self, route: str, status: int, seconds: float) -> None:
        self.requests.labels(route, str(status)).inc()
        self.ack.labels(route).observe(seconds)

    # --------------------------------------------------------------- scrape

    def collect(self) -> Iterable[Metric]:
        """Every process's figures in multiprocess mode; this process's otherwise."""
        if multiprocess():
            return MultiProcessCollector(None).collect()
        return self.registry.collect()


def backlog_metrics(backlog: Backlog | None, now: datetime) -> list[Metric]:
    """The outbox as read at scrape time; `pedir_database_up` 0 when it could not be read."""
    up = GaugeMetricFamily("pedir_database_up", "1 when this scrape could read the outbox, 0 otherwise")
    up.add_metric([], 0 if backlog is None else 1)
    if backlog is None:
        return [up]
    depth = GaugeMetricFamily("pedir_outbox_depth", "Messages not delivered yet, by status", labels=["status"])
    for status in UNDELIVERED:
        depth.add_metric([status], backlog.depth.get(status, 0))
    age = GaugeMetricFamily("pedir_outbox_oldest_age_seconds",
                            "How long the oldest undelivered message has waited (0 when none waits)")
    age.add_metric([], backlog.oldest_age(now))
    return [up, depth, age]


class _Families:
    """What generate_latest reads: a fixed list of metric families."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


def exposition(observer: PrometheusObserver, backlog: Backlog | None, now: datetime) -> bytes:
    """The text a scrape gets."""
    return generate_latest(_Families([*observer.collect(), *backlog_metrics(backlog, now)]))  # type: ignore[arg-type]
