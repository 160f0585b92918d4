"""Two workers, one nudge ledger: every nudge reaches its recipient once.

Forty requests from the demo people to six teams (a third of them claimed, so
owners hear too); then the clock walks from one planned nudge to the next,
and at each stop two workers run the `nudges.send` and `nudges.confirm` jobs
and deliver the outbox, all at the same time:

- in one process, two `Pedir` instances with engines of their own on the same
  database (as two processes would have), and two dispatchers;
- in two OS processes, each a worker (this module run as a script) driven
  step by step over a pipe, so both start each step together.

Then it counts: one ledger row per (subject, kind, window, recipient); every
nudge ended sent or cancelled; each sent nudge is exactly one line, in
exactly one message, to its recipient (so nothing reached anyone twice), and
each of those messages left the outbox once.

Every test runs on SQLite and on PostgreSQL (shared fixtures: a missing
server fails in CI and skips loudly elsewhere). In one process, the SQLite
workers share one engine (see the test for why), so their transactions take
turns; the two-process test is where SQLite's workers really race, on the
file lock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot.app import Pedir
from bot.clock import FixedClock
from bot.commands.registry import Job
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.nudges import kinds, sender
from bot.nudges.ledger import CANCELLED, PLANNED, QUEUED, SENT
import bot.domains  # noqa: F401  (registers every domain's nudge kinds)
from bot.requests.nudge_text import REQUEST_NUDGES
from bot.teams.digest import DIGEST_CATALOG
from bot.teams.scheduled import KIND as DIGEST_KIND
from storage.engine import create_engine, session_factory
from storage.models import Nudge, Outbox, Person, Team
from tests.harness.support import Delivered, RecordingChannel, slow_down

ROOT = Path(__file__).resolve().parents[1]
TEAMS = ("facturacion", "sistemas", "soporte", "legal", "rrhh", "ventas")
# Who claims a team's requests (a member, not the lead: leads hear escalations).
MEMBER = {
    "facturacion": "sara.ruiz", "sistemas": "irene.vazquez", "soporte": "lucia.hernandez",
    "legal": "sara.ruiz", "rrhh": "ana.garcia", "ventas": "james.whitaker",
}
REQUESTS = 40
ROUNDS = 2  # per clock stop: send and deliver, then confirm (and refresh the cards) and deliver
MAX_STOPS = 40
PED = re.compile(r"PED-(\d+)")


# ---------------------------------------------------------------- the scenario


async def make_requests(app: Pedir, folk: dict[str, Person]) -> None:
    people = sorted(folk.values(), key=lambda p: p.id)
    for n in range(REQUESTS):
        team = TEAMS[n % len(TEAMS)]
        requester = people[n % len(people)]
        reply = await app.command(requester, "/pedir", f"@{team} revisar el expediente {n} de #ACME !alta")
        assert reply.message is not None and PED.search(reply.message.text), reply
        rid = int(PED.search(reply.message.text).group(1))
        if n % 3 == 0:
            claimed = await app.action(folk[MEMBER[team]], "request.claim", str(rid))
            assert not claimed.refused, claimed


async def next_stop(app: Pedir, now: datetime) -> datetime | None:
    """The next moment a planned nudge is due; at least a batch after `now`, so a
    recipient who just heard from the bot is due again (sender.BATCH)."""
    async with app.sessions() as session:
        first = (await session.exec(
            select(func.min(Nudge.send_at)).where(Nudge.state == PLANNED)  # type: ignore[arg-type]
        )).one()
    if first is None:
        return None
    return max(first, now + sender.BATCH)


async def walk(app: Pedir, step: Callable[[datetime], Awaitable[None]]) -> int:
    """Moves time from one due nudge to the next, running `step` at each stop;
    then lets the last deliveries be confirmed. Returns how many stops it made."""
    now = app.clock.now()
    stops = 0
    while (at := await next_stop(app, now)) is not None and stops < MAX_STOPS:
        now = at
        await step(now)
        stops += 1
    # Nothing left to send: one more stop, for what is still queued to be confirmed.
    await step(now + sender.BATCH)
    return stops


# ---------------------------------------------------------------- the counting


def _template(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", text)
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


# Each request nudge's wording, in both languages: a line tells its catalog key
# ("nudge.request.resolution.breach.unowned"), and so its kind (the longest kind
# the key starts with: "request.resolution.breach").
WORDINGS = [(_template(text), key.removeprefix("nudge."))
            for key, texts in REQUEST_NUDGES.items() for text in texts.values()]
KINDS = {key for _pattern, key in WORDINGS if kinds.named(key) is not None}
DIGEST = [_template(text) for text in DIGEST_CATALOG["digest.title"].values()]


def kind_of(line: str) -> str:
    keys = {key for pattern, key in WORDINGS if pattern.fullmatch(line)}
    assert len(keys) == 1, (line, keys)
    key = keys.pop()
    while key not in KINDS:
        key = key.rsplit(".", 1)[0]
    return key


def is_digest(call: Delivered) -> bool:
    return any(pattern.fullmatch(call.message.title or "") for pattern in DIGEST)


def new_messages(calls: list[Delivered]) -> list[Delivered]:
    """New messages: not card edits, not thread replies."""
    return [call for call in calls if call.kind == "send" and call.thread_id is None]


def nudge_lines(calls: list[Delivered]) -> tuple[Counter, int]:
    """(address, PED number, kind) of every request nudge line posted, and how
    many messages carried them. A nudge message is a new message with the snooze
    buttons: every request SLA nudge has them."""
    lines: Counter = Counter()
    messages = 0
    for call in new_messages(calls):
        if is_digest(call) or not any(action.id == "nudge.snooze" for action in call.message.actions):
            continue
        messages += 1
        for line in call.message.text.split("\n"):
            line = line.removeprefix("• ")
            [ped] = PED.findall(line)
            lines[(call.address, int(ped), kind_of(line))] += 1
    return lines, messages


async def check(app: Pedir, calls: list[Delivered]) -> int:
    """Everything the module docstring promises; returns how many nudges were sent."""
    async with app.sessions() as session:
        rows = list((await session.exec(select(Nudge))).all())
        people = {p.id: p for p in (await session.exec(select(Person))).all()}
        teams = {t.id: t for t in (await session.exec(select(Team))).all()}
        outbox_ids = {row.outbox_id for row in rows if row.state == SENT}
        outbox = {o.id: o for o in (await session.exec(
            select(Outbox).where(Outbox.id.in_(outbox_ids)))).all()}  # type: ignore[union-attr]

    keys = Counter((r.subject_kind, r.subject_id, r.kind, r.window_key, r.recipient_kind, r.recipient_id)
                   for r in rows)
    assert max(keys.values()) == 1
    # Every nudge ran its course: none left planned, queued or failed.
    assert {r.state for r in rows} <= {SENT, CANCELLED}, Counter(r.state for r in rows)

    def address(row: Nudge) -> str:
        if row.recipient_kind == "team":
            return f"team:{teams[row.recipient_id].slug}"
        return f"person:{people[row.recipient_id].email}"

    gone = [r for r in rows if r.state in (SENT, QUEUED)]
    expected = Counter((address(r), r.subject_id, r.kind) for r in gone if r.kind != DIGEST_KIND)
    got, messages = nudge_lines(calls)
    # No PED number reached the same recipient twice for the same kind...
    assert max(got.values()) == 1, [key for key, n in got.items() if n > 1]
    # ...and each nudge the ledger calls sent is exactly one line that arrived.
    assert got == expected, (expected - got, got - expected)
    # A team's daily digest, once a day: as many as the ledger holds, each its own message.
    digests = Counter(address(r) for r in gone if r.kind == DIGEST_KIND)
    assert Counter(call.address for call in new_messages(calls) if is_digest(call)) == digests
    # One message per outbox row, each row sent once, by one worker.
    assert messages + sum(digests.values()) == len(outbox_ids)
    assert {(o.status, o.attempts) for o in outbox.values()} == {("sent", 1)}
    sent = sum(expected.values())
    assert sent >= REQUESTS, sent  # the scenario did nudge: warnings, breaches, owners and leads
    return sent


# ---------------------------------------------------------------- one process, two engines


def yielding(job: Job) -> Job:
    """The job, letting the other worker run before its query of what is due and
    before each item's transaction: in one process, transactions on SQLite
    interleave only where something yields."""

    async def due(session, now):  # noqa: ANN001, ANN202
        await asyncio.sleep(0)
        return await job.due(session, now)

    async def run(ctx, item):  # noqa: ANN001, ANN202
        await asyncio.sleep(0)
        return await job.run(ctx, item)

    return dataclasses.replace(job, due=due, run=run)


async def worker_round(app: Pedir, dispatcher: Dispatcher, jobs: list[Job]) -> None:
    for job in jobs:
        await app.run_job(job)
    await dispatcher.drain()


async def test_two_workers_in_one_process_send_each_nudge_once(app, folk, database_url, backend, monkeypatch):  # noqa: ANN001
    await make_requests(app, folk)
    # The second worker: its own engine and sessions on the same database, the same time.
    # On SQLite it shares the first one's engine instead (its one connection, for which
    # transactions queue), as test_concurrency does: a session's exit hands its close to
    # another task, so the file lock outlives the session by a turn of the loop, and a
    # second engine's BEGIN IMMEDIATE would wait for it in SQLite's busy handler, on the
    # loop, where the close can never run. Two processes are the next test.
    engine = create_engine(database_url) if backend == "postgresql" else None
    try:
        other = Pedir(session_factory(engine) if engine else app.sessions, Settings(), app.clock)
        one, two = RecordingChannel(), RecordingChannel()
        workers = [
            (app, Dispatcher(app.sessions, [one], app.clock, batch=5)),
            (other, Dispatcher(other.sessions, [two], other.clock, batch=5)),
        ]
        jobs = [yielding(job) for job in app.registry.jobs]
        if backend == "postgresql":
            # Row locks, not a file lock: hold each claim's transaction open a little,
            # so the two workers' sends overlap every time.
            slow_down(monkeypatch, sender, "_claim", 0.002)

        async def step(now: datetime) -> None:
            app.clock.set(now)
            for _ in range(ROUNDS):
                await asyncio.gather(*(worker_round(w, d, jobs) for w, d in workers))

        stops = await walk(app, step)
    finally:
        if engine is not None:
            await engine.dispose()
    assert stops >= 5
    await check(app, one.calls + two.calls)


# ---------------------------------------------------------------- two OS processes


class Worker:
    """A worker in a process of its own (this module, run as a script)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, database_url: str) -> "Worker":
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.test_nudges_concurrency", database_url, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        worker = cls(process)
        assert await worker._read() == "ready"
        return worker

    async def _read(self) -> str:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout=120)
        assert line, f"worker exited ({await self.process.wait()})"
        return line.decode().rstrip("\n")

    async def _say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def step(self, now: datetime) -> None:
        await self._say(f"step {now.isoformat()} {ROUNDS}")
        assert await self._read() == "done"

    async def finish(self) -> list[Delivered]:
        await self._say("quit")
        calls = []
        while (line := await self._read()) != "end":
            calls.append(_delivered(json.loads(line)))
        assert await self.process.wait() == 0
        return calls

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


def _delivered(item: dict[str, Any]) -> Delivered:
    from bot.messages import Action, Message

    message = Message(title=item["title"], text=item["text"],
                      actions=[Action(id=a, label="", value="") for a in item["actions"]])
    return Delivered(item["kind"], item["address"], message, item["thread_id"], item["external_id"])


async def test_two_worker_processes_send_each_nudge_once(app, folk, database_url):  # noqa: ANN001
    await make_requests(app, folk)
    workers = []
    try:
        workers = list(await asyncio.gather(Worker.start(database_url), Worker.start(database_url)))

        async def step(now: datetime) -> None:
            app.clock.set(now)
            await asyncio.gather(*(worker.step(now) for worker in workers))

        stops = await walk(app, step)
        calls = [call for worker in workers for call in await worker.finish()]
    finally:
        for worker in workers:
            worker.kill()
    assert stops >= 5
    await check(app, calls)


async def _serve(database_url: str) -> None:
    """The worker process: on `step <iso time> <rounds>`, runs every registry job
    and delivers, `rounds` times, at that time; on `quit`, prints what it
    delivered, a JSON line per call, then `end`."""
    engine = create_engine(database_url)
    clock = FixedClock(datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
    pedir = Pedir(session_factory(engine), Settings(), clock)
    channel = RecordingChannel()
    dispatcher = Dispatcher(pedir.sessions, [channel], clock, batch=5)
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print("ready", flush=True)
    try:
        while line := (await reader.readline()).decode().strip():
            command, *args = line.split()
            if command == "quit":
                break
            clock.set(datetime.fromisoformat(args[0]))
            for _ in range(int(args[1])):
                await worker_round(pedir, dispatcher, list(pedir.registry.jobs))
            print("done", flush=True)
    finally:
        await engine.dispose()
    for c in channel.calls:
        print(json.dumps({"kind": c.kind, "address": c.address, "title": c.message.title, "text": c.message.text,
                          "thread_id": c.thread_id,
                          "external_id": c.external_id, "actions": [a.id for a in c.message.actions]}))
    print("end", flush=True)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
