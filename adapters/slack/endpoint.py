"""POST /slack/events over HTTP: the gate first (gate.py), then Bolt.

Socket Mode does not come through here: its payloads arrive on a socket that
Slack authenticated, and go straight to Bolt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import gate

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def events_handler(bolt: AsyncApp, signing_secret: str) -> Handler:
    secret = signing_secret.encode()

    async def slack_events(request: web.Request) -> web.StreamResponse:
        verdict = gate.admit(await request.read(), request.headers, secret, time.time())
        if isinstance(verdict, gate.Turned):
            return turned_away(verdict)
        response = await bolt.async_dispatch(bolt_request(verdict, request))
        if response.status == 404:
            # Bolt's answer when no listener takes a signed request (a button from a
            # retired card, say): Slack would show the person an error. Ignored instead.
            return web.Response(status=200)
        return await to_aiohttp_response(response)

    return slack_events


def turned_away(verdict: gate.Turned) -> web.Response:
    if verdict.status == 200:
        log.warning("Slack payload ignored: %s", verdict.reason)
        return web.Response(status=200)
    # Unsigned requests are anyone's: counted, not shouted about.
    log.log(logging.INFO if verdict.status == 401 else logging.WARNING,
            "Slack request refused (%d): %s", verdict.status, verdict.reason)
    error = "invalid request" if verdict.status == 401 else "malformed request"
    return web.json_response({"error": error}, status=verdict.status)


def bolt_request(admitted: gate.Admitted, request: web.Request) -> AsyncBoltRequest:
    bolt_request = AsyncBoltRequest(body=admitted.text, query=request.query_string,
                                    headers=request.headers)  # type: ignore[arg-type]
    if bolt_request.body != admitted.body:
        # Bolt takes a form holding the word "payload" anywhere (in a command's text,
        # say) for interactivity, finds no payload and reads nothing: the gate read it right.
        bolt_request.body = admitted.body
        bolt_request.context = build_async_context(AsyncBoltContext(), admitted.body)
    return bolt_request
