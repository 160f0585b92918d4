"""Request ids, request metrics and `GET /metrics`: what an operator sees of `pedir serve`.

`mount` is the server's one hook. A middleware gives each request an id (a
proxy's `X-Request-Id`, when it is a plain token, or a new one) that every
log line of its handling carries, and the outbox rows it writes, so their
deliveries log it too (bot.tracing); it answers with that id in
`X-Request-Id`, times the request, and logs one line when it is answered
(route, status, milliseconds: never a path's values, a query or a body).

`GET /metrics` is not public: it is off (404) without PEDIR_METRICS_TOKEN,
and answers 401 to a request without `Authorization: Bearer <that token>`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from adapters.metrics import PrometheusObserver, exposition
from bot import observe, tracing
from bot.clock import Clock
from bot.config import Settings
from bot.delivery.backlog import Backlog, backlog

log = logging.getLogger(__name__)
OBSERVER = web.AppKey("observer", PrometheusObserver)
REQUEST_ID = "X-Request-Id"
# A request id taken from a proxy must be a plain token: it goes into log lines.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Polled by load balancers and Prometheus: their lines only at DEBUG.
POLLED = frozenset({"/healthz", "/metrics"})
UNMATCHED = "unmatched"
# A client that hung up before its answer (nginx's code for it).
CLIENT_GONE = 499
# A scrape does not wait longer than this for the outbox's figures.
BACKLOG_SECONDS = 2.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def mount(app: web.Application, settings: Settings, sessions, clock: Clock) -> PrometheusObserver:  # noqa: ANN001
    """Request ids, request metrics and /metrics on the server; the observer is
    installed for the domain's reports while the server runs."""
    observer = PrometheusObserver()
    app[OBSERVER] = observer
    app.middlewares.append(middleware(observer))
    app.router.add_get("/metrics", metrics_handler(settings, sessions, clock, observer))
    app.cleanup_ctx.append(installed(observer))
    return observer


def installed(observer: observe.Observer):  # noqa: ANN201
    """A cleanup context that installs the observer while the application runs."""
    async def context(_app: web.Application):  # noqa: ANN202
        previous = observe.install(observer)
        yield
        observe.install(previous)
    return context


def request_id_of(request: web.Request) -> str | None:
    given = request.headers.get(REQUEST_ID, "")
    return given if _PLAIN_ID.fullmatch(given) else None


def route_of(request: web.Request) -> str:
    """The route's pattern (/panel/equipo/{slug}), never the values in the path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def middleware(observer: PrometheusObserver):  # noqa: ANN201
    """Traces, times, counts and logs every request, the dashboard's (a sub-application) included."""
    @web.middleware
    async def observed(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = tracing.begin(request_id_of(request))
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            if not response.prepared:
                response.headers[REQUEST_ID] = tracing.current().request_id  # type: ignore[union-attr]
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status = CLIENT_GONE
            raise
        finally:
            seconds = time.perf_counter() - started
            route = route_of(request)
            observer.request(route, status, seconds)
            log.log(logging.DEBUG if route in POLLED else logging.INFO, "%s %s %d in %.1f ms",
                    request.method, route, status, seconds * 1000)
            tracing.end(token)

    return observed


def metrics_handler(settings: Settings, sessions, clock: Clock, observer: PrometheusObserver) -> Handler:  # noqa: ANN001
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    expected = f"Bearer {token}".encode() if token else b""

    async def metrics(request: web.Request) -> web.Response:
        if not token:
            raise web.HTTPNotFound()
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return web.json_response({"error": "a bearer token is required"}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
        body = exposition(observer, await outbox_backlog(sessions), clock.now())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics


async def outbox_backlog(sessions) -> Backlog | None:  # noqa: ANN001
    """The outbox's figures now; None when the database does not answer in time."""
    async def read() -> Backlog:
        async with sessions() as session:
            return await backlog(session)
    try:
        return await asyncio.wait_for(read(), BACKLOG_SECONDS)
    except Exception as exc:  # noqa: BLE001  (a scrape reports the database down, and goes on)
        log.warning("metrics: the outbox could not be read (%s)", exc.__class__.__name__)
        return None


def metrics_app(settings: Settings, sessions, clock: Clock, observer: PrometheusObserver) -> web.Application:  # noqa: ANN001
    """Only GET /metrics: what `pedir worker` serves on PEDIR_WORKER_METRICS_PORT."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(settings, sessions, clock, observer))
    return app
