"""Nudges from outside: `pedir serve` killed (SIGKILL) and stopped (SIGTERM)
while its scheduled tick sends reminders, then restarted; each nudge must
reach Slack once.

A SQLite database is prepared in this process: an organisation of --teams
teams, always open (`business_hours = {}`, so no nudge waits for working
hours whatever the real time is), and --requests requests made through
`bot.app.Pedir` two days ago (a FixedClock), a third of them claimed. Their
deadlines are breached or near, so their nudges are due now: the leads hear
of breached first responses and resolutions, the owners and the team channels
of resolutions three quarters gone. The request cards are delivered to a
Slack Web API stand-in before any server starts; from then on only nudges
are counted.

Two rounds then run side by side, each on its own copy of that database, with
its own stand-in (holding the same cards) and its own `pedir serve` processes
(scheduled jobs in-process, as on SQLite by default). The stand-in answers
each chat.postMessage after --slack-latency, so posts are in flight. A
server's first tick comes 30 s after it starts. Once it has started on the
nudges (claimed some, or called Slack about one), it gets its signal at a
random moment within the time its remaining posts should take, and a new
server is started. The first round sends SIGKILL --kills times; the second
one SIGTERM (a deploy). The last server runs until the ledger has nothing
due left to send or confirm (a killed server's outbox leases run out after
60 s first).

It prints, per round: each fault (posts answered by then, the post in flight,
messages left claimed by the dead server, or still queued); the nudge ledger
by state; the nudges expected on Slack (one per ledger row sent: request,
recipient's channel, kind), those received (posts whose text starts with ⏳
or ⛔, merged ones read line by line), LOST (sent in the ledger but never
seen on Slack, due rows never sent, failed ones) and DUPLICATED (the same
request, recipient and kind in two posts; and posts sharing one outbox tag);
the interrupted posts a restarted server found on Slack by their tag instead
of posting them again; and the time from the first start to the first and
the last nudge received, and to the ledger settled.

Exit status 1 when anything was lost or duplicated, or a round did not settle.

    .venv/bin/python bench/nudge_faults.py [--requests 300] [--kills 3] [--teams 16] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_ack import SECRET, TOKEN, wait_ready  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.channel import SlackChannel  # noqa: E402
from bot.app import Pedir  # noqa: E402
from bot.clock import FixedClock, SystemClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery.dispatcher import Dispatcher  # noqa: E402
from bot.org.importer import import_org  # noqa: E402
from bot.people import service as people  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402
from tests.harness.ports import free_port  # noqa: E402
from tests.harness.slack_standin import FakeSlackAPI  # noqa: E402

AGO = timedelta(days=2)  # when the requests were made
NUDGE_LINE = re.compile(r"^(?:• )?([⏳⛔]) (PED-\d+)\b")
# Which reminder a line is, from its words (bot/requests/nudge_text.py), in both languages.
KIND_WORDS = (
    ("request.first_response.warn", ("sigue sin respuesta", "has had no answer yet")),
    ("request.first_response.breach", ("plazo de primera respuesta", "missed its first-response deadline")),
    ("request.resolution.warn", ("cuarta parte del plazo", "quarter of its resolution time")),
    ("request.resolution.breach", ("superó el plazo de resolución", "missed its resolution deadline")),
)
FOUND_ON_SLACK = "an interrupted send had gone out"


# ------------------------------------------------------------------ the organisation


def team_slug(k: int) -> str:
    return f"t{k:02d}"


def intake(k: int) -> str:
    return f"C0NF{k:04d}"


@dataclass
class Org:
    teams: int
    # email -> Slack user id
    slack: dict[str, str] = field(default_factory=dict)

    def lead(self, k: int) -> str:
        return f"lead{k:02d}@example.com"

    def member(self, k: int, which: int) -> str:
        return f"m{k:02d}{'ab'[which]}@example.com"

    def channels(self) -> list[str]:
        """Every channel a nudge may land in: the intake channels and everyone's DM."""
        return [intake(k) for k in range(1, self.teams + 1)] + [FakeSlackAPI.dm_channel(u) for u in self.slack.values()]


def write_org(path: Path, teams: int) -> Org:
    """Teams always open; odd ones with a 4 h resolution (breached two days
    later), even ones with 60 h (three quarters gone, not yet due)."""
    org = Org(teams)
    lines: list[str] = []
    for k in range(1, teams + 1):
        for email in (org.lead(k), org.member(k, 0), org.member(k, 1)):
            org.slack[email] = f"U0NF{len(org.slack) + 1:05d}"
            locale = "en" if len(org.slack) % 3 == 0 else "es"
            lines += ["[[people]]", f'email = "{email}"', f'name = "{email.split("@")[0].title()}"',
                      f'locale = "{locale}"', f'slack = "{org.slack[email]}"', ""]
    for k in range(1, teams + 1):
        resolution = "4h" if k % 2 else "60h"
        lines += [
            f"[teams.{team_slug(k)}]", f'name = "Equipo {k:02d}"', f'lead = "{org.lead(k)}"',
            f'members = ["{org.member(k, 0)}", "{org.member(k, 1)}"]', f'intake = {{ slack = "{intake(k)}" }}',
            "business_hours = {}", f'locale = "{"en" if k % 4 == 0 else "es"}"', "",
            f"[teams.{team_slug(k)}.sla]", f'normal = {{ first_response = "1h", resolution = "{resolution}" }}', "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return org


async def prepare(database: Path, fake: FakeSlackAPI, args: argparse.Namespace) -> Org:
    """Tables, the organisation and the requests (made two days ago), their cards delivered."""
    url = f"sqlite:///{database}"
    await upgrade_async(url)
    org = write_org(database.with_suffix(".toml"), args.teams)
    engine = create_engine(url)
    sessions = session_factory(engine)
    past = FixedClock(datetime.now(timezone.utc) - AGO)
    await import_org(sessions, database.with_suffix(".toml"), past.now())
    for email, user in org.slack.items():
        fake.add_user(user, email=email, real_name=email.split("@")[0])
    channel = SlackChannel(AsyncWebClient(token=TOKEN, base_url=fake.api_url))
    settings = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        SLACK_API_URL=fake.api_url)
    app = Pedir(sessions, settings, past, channels=[channel])
    async with sessions() as session:
        person = {email: await people.by_email(session, email) for email in org.slack}
    claimed = 0
    for i in range(args.requests):
        k = i % args.teams + 1
        requester = org.member(k % args.teams + 1, i % 2)  # someone from the next team
        reply = await app.command(person[requester], "/pedir", f"@{team_slug(k)} revisar el expediente nf{i:05d}")
        made = re.search(r"PED-(\d+)", reply.message.text if reply.message else "")
        if made is None or reply.refused:
            raise RuntimeError(f"request {i} not made: {reply.message.text if reply.message else reply}")
        past.advance(seconds=1)
        if i % 3 == 0:  # a third are claimed: their resolution reminders go to the owner
            owner = org.member(k, (i // 3 // args.teams) % 2)  # both members of a team own some
            claim = await app.action(person[owner], "request.claim", made.group(1))
            if claim.refused:
                raise RuntimeError(f"claim of PED-{made.group(1)} refused: {claim.message.text}")
            claimed += 1
    dispatcher = Dispatcher(sessions, [channel], SystemClock())
    while (await dispatcher.drain()).handled:
        pass
    await engine.dispose()
    with sqlite3.connect(database) as db:
        cards = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
        left = db.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]
    if left:
        raise RuntimeError(f"{left} creation messages not delivered before the servers start")
    print(f"prepared {args.requests} requests in {args.teams} always-open teams, {claimed} claimed, "
          f"{AGO.days} days ago; {cards} cards delivered before any server starts")
    return org


# ------------------------------------------------------------------------ the ledger


def db_now() -> str:
    """Now, as SQLite stores UTC times here (naive, space-separated)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class Ledger:
    states: Counter
    due_planned: int  # planned and due now: still to be sent
    due_recipients: int  # their recipients: at most one message each
    queued: int
    undelivered: int  # nudge messages in the outbox not yet delivered
    sending: int  # of which leased (a send in flight, or a dead server's)
    later: int  # planned for later (not due yet)

    @property
    def settled(self) -> bool:
        return self.due_planned == 0 and self.queued == 0 and self.undelivered == 0

    def show(self) -> str:
        order = ("sent", "cancelled", "failed", "queued", "planned")
        states = ", ".join(f"{s} {self.states[s]}" for s in order if self.states[s])
        return f"{states} (of the planned: {self.later} not due yet)"


def ledger(database: Path) -> Ledger:
    now = db_now()
    with sqlite3.connect(database, timeout=30) as db:
        states = Counter(dict(db.execute("SELECT state, count(*) FROM nudge GROUP BY state").fetchall()))
        due, recipients = db.execute(
            "SELECT count(*), count(DISTINCT recipient_kind || ':' || recipient_id) FROM nudge "
            "WHERE state = 'planned' AND send_at <= ?", (now,)).fetchone()
        undelivered, sending = db.execute(
            "SELECT count(*), coalesce(sum(status = 'sending'), 0) FROM outbox "
            "WHERE status IN ('pending', 'sending') AND id IN (SELECT outbox_id FROM nudge)").fetchone()
    return Ledger(states, due, recipients, states["queued"], undelivered, sending,
                  states["planned"] - due)


def expected(database: Path) -> tuple[Counter, list[tuple]]:
    """(PED id, channel, kind) for each nudge the ledger says was sent; and the
    rows that should have gone out and did not (due but planned, queued, failed)."""
    with sqlite3.connect(database) as db:
        teams = {tid: json.loads(raw or "{}").get("slack") for tid, raw in db.execute("SELECT id, intake FROM team")}
        users = dict(db.execute("SELECT person_id, external_id FROM platform_account WHERE platform = 'slack'"))
        rows = db.execute("SELECT subject_id, kind, recipient_kind, recipient_id, state, send_at FROM nudge "
                          "WHERE subject_kind = 'request'").fetchall()
    now = db_now()
    sent: Counter = Counter()
    missing = []
    for subject_id, kind, recipient_kind, recipient_id, state, send_at in rows:
        where = teams.get(recipient_id) if recipient_kind == "team" else FakeSlackAPI.dm_channel(users[recipient_id])
        key = (f"PED-{subject_id}", where, kind)
        if state == "sent":
            sent[key] += 1
        elif state in ("queued", "failed") or (state == "planned" and send_at <= now):
            missing.append((*key, state))
    return sent, missing


# ----------------------------------------------------------------- what Slack received


def nudge_lines(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(PED id, kind) for each reminder in a posted message; [] when it is no nudge."""
    texts = [block["text"]["text"] for block in message.get("blocks") or []
             if block.get("type") == "section" and isinstance(block.get("text"), dict)]
    found = []
    for line in "\n".join(texts or [message.get("text") or ""]).splitlines():
        match = NUDGE_LINE.match(line.strip())
        if match:
            kind = next((name for name, words in KIND_WORDS if any(w in line for w in words)), "?")
            found.append((match.group(2), kind))
    return found


@dataclass
class Received:
    posts: int  # nudge posts stored on "Slack"
    occurrences: Counter  # (PED id, channel, kind) -> in how many posts
    tags: Counter  # outbox tag -> how many posts carry it


def received(fake: FakeSlackAPI, org: Org) -> Received:
    posts, occurrences, tags = 0, Counter(), Counter()
    for channel in org.channels():
        for message in fake.messages_in(channel):
            lines = nudge_lines(message)
            if not lines:
                continue
            posts += 1
            for ped, kind in set(lines):
                occurrences[(ped, channel, kind)] += 1
            tag = ((message.get("metadata") or {}).get("event_payload") or {}).get("tag")
            if tag:
                tags[tag] += 1
    return Received(posts, occurrences, tags)


class Watch:
    """Notes when the last new nudge reached the stand-in."""

    def __init__(self, fake: FakeSlackAPI, org: Org) -> None:
        self.fake, self.org = fake, org
        self.posts, self.first_at, self.last_at = 0, None, None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._look()

    def _look(self) -> None:
        posts = received(self.fake, self.org).posts
        if posts != self.posts:
            self.posts, self.last_at = posts, time.monotonic()
            self.first_at = self.first_at or self.last_at

    async def _run(self) -> None:
        while True:
            self._look()
            await asyncio.sleep(0.1)


# ------------------------------------------------------------------------- the rounds


@dataclass
class Server:
    process: subprocess.Popen
    started: float
    calls_before: int  # the stand-in's calls when it started
    due_before: int


def launch(env: dict[str, str], port: int, log_path: Path, fake: FakeSlackAPI, database: Path) -> Server:
    with open(log_path, "a") as log:
        process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=ROOT,
                                   env={**env, "PORT": str(port)}, stdout=subprocess.DEVNULL, stderr=log)
    return Server(process, time.monotonic(), len(fake.calls), ledger(database).due_planned)


def started_on_nudges(server: Server, fake: FakeSlackAPI, database: Path) -> bool:
    """This server claimed due nudges, or posted one / looked one up on Slack."""
    for call in fake.calls[server.calls_before:]:
        if call.method == "conversations.history" or (call.method == "chat.postMessage" and nudge_lines(call.args)):
            return True
    return ledger(database).due_planned < server.due_before


@dataclass
class Fault:
    at: float  # seconds after the first start
    posts: int  # nudge posts on Slack by then
    answering: int  # posts Slack had received and not yet answered: done, unknown to the server
    leased: int  # nudge messages the server had claimed (in flight, or next in its batch)
    pending: int  # and queued but not yet claimed
    exit_code: int | None
    stop_seconds: float


async def fault(sig: signal.Signals, server: Server, args: argparse.Namespace, fake: FakeSlackAPI, org: Org,
                database: Path, first_start: float, rng: random.Random) -> Fault:
    """Waits until the server works on nudges, then sends `sig` at a random
    moment within the time its remaining posts should take."""
    deadline = time.monotonic() + args.trigger_seconds
    while not started_on_nudges(server, fake, database) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    now = ledger(database)
    left = now.undelivered + now.due_recipients
    await asyncio.sleep(rng.uniform(0, max(left, 1) * args.slack_latency))
    stopped_at = time.monotonic()
    asked = sum(1 for call in fake.calls_to("chat.postMessage") if nudge_lines(call.args))
    answering = asked - received(fake, org).posts
    server.process.send_signal(sig)
    exit_code = await asyncio.to_thread(server.process.wait, 60)
    stop_seconds = time.monotonic() - stopped_at
    after = ledger(database)
    return Fault(stopped_at - first_start, asked - answering, answering, after.sending,
                 after.undelivered - after.sending, exit_code, stop_seconds)


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def snapshot(fake: FakeSlackAPI, org: Org) -> list[tuple[str, dict[str, Any]]]:
    """What Slack holds (the request cards), to give each round's stand-in the same."""
    return [(channel, dict(message)) for channel in org.channels() for message in fake.messages_in(channel)]


def restore(fake: FakeSlackAPI, org: Org, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """The cards in place: the servers edit them (chat.update by channel and ts), and a
    new post must not get the ts of a card, as it never would on Slack."""
    for email, user in org.slack.items():
        fake.add_user(user, email=email, real_name=email.split("@")[0])
    for channel, message in messages:
        extra = {k: v for k, v in message.items() if k not in ("type", "ts", "text", "user", "thread_ts", "team")}
        fake.add_message(channel, message["ts"], message.get("text", ""), message.get("user", ""),
                         thread_ts=message.get("thread_ts"), **extra)


async def run_round(name: str, sig: signal.Signals, faults: int, prepared: Path, org: Org,
                    cards: list[tuple[str, dict[str, Any]]], args: argparse.Namespace, seed: int) -> dict:
    rng = random.Random(f"{seed}-{name}")
    async with FakeSlackAPI() as fake:
        database = prepared.with_name(f"{name}.db")
        copy_database(prepared, database)
        restore(fake, org, cards)
        fake.stall_next("chat.postMessage", args.slack_latency, times=10**6)
        if args.blind_lookups:  # the bench's own check: interrupted posts then go out twice
            fake.fail_next("conversations.history", error="missing_scope", times=10**6)
        env = {key: value for key, value in os.environ.items() if key != "PEDIR_INLINE_JOBS"}
        env.update({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                    "DATABASE_URL": f"sqlite:///{database}"})
        port = free_port()
        url = f"http://127.0.0.1:{port}/slack/events"
        log_path = database.with_suffix(".log")
        watch = Watch(fake, org)
        watch.start()
        first_start = time.monotonic()
        server = launch(env, port, log_path, fake, database)
        try:
            await wait_ready(url)
            faults_seen = []
            for _ in range(faults):
                faults_seen.append(await fault(sig, server, args, fake, org, database, first_start, rng))
                server = launch(env, port, log_path, fake, database)
                await wait_ready(url)
            deadline = time.monotonic() + args.settle_seconds
            while not (settled := ledger(database).settled) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            settled_after = time.monotonic() - first_start
            server.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(server.process.wait, 60)
        finally:
            if server.process.poll() is None:  # the bench failed: leave no server behind
                server.process.kill()
                server.process.wait()
            await watch.stop()

        after = ledger(database)
        sent, missing = expected(database)
        got = received(fake, org)
        lost = [key for key in sent if not got.occurrences[key]] + missing
        duplicated = {key: n for key, n in got.occurrences.items() if n > 1}
        return {
            "name": name, "faults": faults_seen, "ledger": after, "expected": sum(sent.values()),
            "received": sum(1 for key in sent if got.occurrences[key]),
            "unrecorded": sum(1 for key in got.occurrences if key not in sent),
            "lost": lost, "duplicated": duplicated,
            "same_tag": sum(n - 1 for n in got.tags.values() if n > 1),
            "posts": got.posts, "found": log_path.read_text().count(FOUND_ON_SLACK),
            "lookups": len(fake.calls_to("conversations.history")),
            "first_after": (watch.first_at - first_start) if watch.first_at else None,
            "delivered_after": (watch.last_at - first_start) if watch.last_at else None,
            "settled": settled, "settled_after": settled_after,
        }


def show(r: dict) -> None:
    name = r["name"]
    for n, f in enumerate(r["faults"], 1):
        print(f"{name:<8} fault {n} at {f.at:5.1f} s: {f.posts:>3} nudge posts answered, {f.answering} in flight; "
              f"{f.leased:>3} messages left claimed (60 s lease), {f.pending:>3} queued; "
              f"exit {f.exit_code}, gone in {f.stop_seconds:.1f} s")
    print(f"{name:<8} ledger after: {r['ledger'].show()}")
    delivered = f"{r['delivered_after']:.1f} s" if r["delivered_after"] is not None else "never"
    print(f"{name:<8} reminders expected {r['expected']}  received {r['received']}  LOST {len(r['lost'])}  "
          f"DUPLICATED {sum(n - 1 for n in r['duplicated'].values())}  (posts sharing an outbox tag "
          f"{r['same_tag']}; reminders on Slack but not sent in the ledger {r['unrecorded']})")
    first = f"{r['first_after']:.1f} s" if r["first_after"] is not None else "never"
    print(f"{name:<8} {r['posts']} nudge posts; interrupted posts found on Slack instead of posted again: "
          f"{r['found']} ({r['lookups']} lookups); after the first start: first nudge {first}, "
          f"last {delivered}, ledger {'settled' if r['settled'] else 'NOT settled'} at {r['settled_after']:.1f} s")
    for key in r["lost"][:10]:
        print(f"{name:<8}   lost: {' '.join(map(str, key))}")
    for key, n in list(r["duplicated"].items())[:10]:
        print(f"{name:<8}   duplicated: {' '.join(key)} in {n} posts")


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--teams", type=int, default=16)
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs in the first round")
    parser.add_argument("--slack-latency", type=float, default=0.25,
                        help="seconds Slack takes to answer a post: sends are in flight when the fault comes")
    parser.add_argument("--trigger-seconds", type=float, default=120.0,
                        help="longest wait for a server to start on the nudges before its fault comes anyway")
    parser.add_argument("--settle-seconds", type=float, default=240.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--blind-lookups", action="store_true",
                        help="conversations.history fails (missing_scope): an interrupted post that went out "
                             "is posted again, and the bench must count it as a duplicate")
    parser.add_argument("--rounds", default="sigkill,sigterm")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    print(f"{args.requests} requests, {args.teams} teams, Slack answers posts after {args.slack_latency:g} s, "
          f"seed {seed}")
    rounds = {"sigkill": (signal.SIGKILL, args.kills), "sigterm": (signal.SIGTERM, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.db"
        async with FakeSlackAPI() as fake:
            org = await prepare(prepared, fake, args)
            cards = snapshot(fake, org)
        before = ledger(prepared)
        print(f"ledger before: {before.show()}; due now: {before.due_planned} nudges for "
              f"{before.due_recipients} recipients")
        # Each round on its own copy, its own stand-in and its own servers, side by side.
        results = await asyncio.gather(*(run_round(name, *rounds[name], prepared, org, cards, args, seed)
                                         for name in args.rounds.split(",")))
    for r in results:
        show(r)
    failed = any(r["lost"] or r["duplicated"] or r["same_tag"] or not r["settled"] for r in results)
    print("target: every nudge once (0 lost, 0 duplicated), after SIGKILL and SIGTERM:", "MISSED" if failed else "MET")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
