"""The Slack Web API stand-in in a process of its own, for benchmarks.

In the measured process, the stand-in's work, its garbage (every call it
keeps) and its clock would be the measured process's: a pause there would
also stamp Slack's arrivals late, and no real Slack shares Pedir's event
loop. Here it runs apart, with Slack's published limits, and reports what it
saw on a second port:

    GET /stats -> {"posted_at": [...], "refused_at": [...], "dms": {channel: posts}, "updates": n, "refused": n}
    GET /posts?since=N -> [[monotonic time, channel, the text's first words], ...] from the N-th post on

`--no-limits` takes calls as fast as they come (no rate limit, no latency);
`--user U…` (repeated) answers users.info for that user.

`posted_at` holds time.monotonic() of each post, comparable across processes
(Linux's monotonic clock is the machine's).

    python -m tests.harness.slack_standin_process --workspace 100 --per-channel 1 --latency 0.05
    (prints the Web API's base URL, then the stats URL, one line each)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from tests.harness.ports import free_port
from tests.harness.slack_standin import EACH_CHANNEL, FakeSlackAPI

ROOT = Path(__file__).resolve().parents[2]


async def serve(args: argparse.Namespace) -> None:
    async with FakeSlackAPI() as fake:
        limits = [] if args.no_limits else [
            fake.limit_rate("chat.postMessage", args.per_channel, channel=EACH_CHANNEL),
            fake.limit_rate("chat.postMessage", args.workspace),
            fake.limit_rate("conversations.open", args.open_per_minute, seconds=60)]
        for method in ("chat.postMessage", "chat.update", "conversations.open"):
            if not args.no_limits:
                fake.stall_next(method, args.latency, times=10**9)
        for user in args.user:
            fake.add_user(user, email=None, real_name=user)

        async def stats(_request: web.Request) -> web.Response:
            dms = {channel: len(fake.messages_in(channel)) for channel in fake.channels() if channel.startswith("D")}
            return web.json_response({"posted_at": fake.posted_at, "refused_at": fake.refused_at, "dms": dms,
                                      "updates": len(fake.calls_to("chat.update")),
                                      "refused": sum(limit.refused for limit in limits)})

        async def posts(request: web.Request) -> web.Response:
            return web.json_response(fake.posts[int(request.query.get("since", "0")):])

        app = web.Application()
        app.router.add_get("/stats", stats)
        app.router.add_get("/posts", posts)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print(fake.api_url, flush=True)
        print(f"http://127.0.0.1:{port}/stats", flush=True)
        try:
            await asyncio.Event().wait()  # until the parent ends the process
        finally:
            await runner.cleanup()


@contextmanager
def standin_process(workspace: int, per_channel: int, open_per_minute: int, latency: float, *,
                    no_limits: bool = False, users: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Starts the stand-in in a process of its own: (Web API base URL, stats URL)."""
    extra = ["--no-limits"] if no_limits else []
    for user in users:
        extra += ["--user", user]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.harness.slack_standin_process", "--workspace", str(workspace),
         "--per-channel", str(per_channel), "--open-per-minute", str(open_per_minute), "--latency", str(latency),
         *extra],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        api_url, stats_url = process.stdout.readline().strip(), process.stdout.readline().strip()
        if not api_url.startswith("http"):
            raise RuntimeError("the Slack stand-in did not start")
        yield api_url, stats_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    # The stand-in keeps every call it takes: the cyclic collector's full passes
    # over them would stall its event loop, stamping a pause's arrivals all at
    # once and refusing them as a burst Pedir never sent. Slack's counters do
    # not pause; the memory of one benchmark is small.
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=int, default=100)
    parser.add_argument("--per-channel", type=int, default=1)
    parser.add_argument("--open-per-minute", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--no-limits", action="store_true", help="no rate limit and no latency")
    parser.add_argument("--user", action="append", default=[], help="a user id users.info knows (repeatable)")
    try:
        asyncio.run(serve(parser.parse_args()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
