"""The floors for bench/slack_ack.py: a slack-bolt AsyncApp that only acks,
served the same way as `pedir serve` (aiohttp + Bolt's request conversion);
with BARE_BOLT_STORE set, it first stores each command's text in SQLite (the
durable floor: what any app that acks only what it stored must pay)."""

import os
import re
import sqlite3

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

app = AsyncApp(
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=False,
)


STORE = os.environ.get("BARE_BOLT_STORE")
if STORE:
    db = sqlite3.connect(STORE, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, key TEXT UNIQUE, text TEXT)")


@app.command(re.compile(r"^/pedir$"))
async def ack_only(ack, command) -> None:  # noqa: ANN001
    if STORE:
        db.execute("INSERT OR IGNORE INTO inbox (key, text) VALUES (?, ?)", (command["trigger_id"], command.get("text", "")))
    await ack()


async def events(request: web.Request) -> web.Response:
    return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))


server = web.Application()
server.router.add_post("/slack/events", events)
web.run_app(server, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
