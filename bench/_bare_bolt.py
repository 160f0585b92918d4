"""The floor for bench/slack_ack.py: a slack-bolt AsyncApp that only acks,
served the same way as `pedir serve` (aiohttp + Bolt's request conversion)."""

import os
import re

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

app = AsyncApp(
    client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    process_before_response=False,
)


@app.command(re.compile(r"^/pedir$"))
async def ack_only(ack) -> None:  # noqa: ANN001
    await ack()


async def events(request: web.Request) -> web.Response:
    return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))


server = web.Application()
server.router.add_post("/slack/events", events)
web.run_app(server, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
