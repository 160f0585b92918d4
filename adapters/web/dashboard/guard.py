"""Every dashboard request passes here: security headers, the session cookie,
and the CSRF token of anything that changes state.

No session, no page: a request without a valid cookie gets 401 and a page
that says how to get a link, except the sign-in page itself and the stylesheet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.app import Pedir
from bot.dashboard import access
from bot.dashboard.access import SignedIn
from adapters.web.dashboard.formats import Formats
from bot.i18n import CATALOG, normalize_locale, t

PEDIR = web.AppKey("pedir", Pedir)
SIGNED = web.RequestKey("signed_in", object)
LOCALE = web.RequestKey("locale", str)
COOKIE = "pedir_panel"
OPEN_PATHS = ("/panel/entrar", "/panel/static/")
# Our own origin only, and no inline script at all (charts are <img>, not inline SVG).
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# A chart is a standalone SVG: its own inline style is all it may use; pygal's config script never runs.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; frame-ancestors 'self'"
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
           "X-Frame-Options": "DENY"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def browser_locale(request: web.Request, default: str) -> str:
    """For pages shown before anyone signed in: the browser's first language, if we speak it."""
    first = request.headers.get("Accept-Language", "").split(",")[0].strip()
    return normalize_locale(first, default) if first else default


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    pedir = request.app[PEDIR]
    request[LOCALE] = browser_locale(request, pedir.settings.locale)
    try:
        response = await _checked(request, handler, pedir)
    except web.HTTPNotFound:  # no such page (or chart): a page that says so, in the reader's words
        response = refuse(request, 404, "web.not_found", "web.not_found")
    except web.HTTPException as exc:  # redirects: the same headers
        _harden(exc)
        raise
    _harden(response)
    return response


def _harden(response: web.StreamResponse) -> None:
    policy = CHART_POLICY if response.content_type == "image/svg+xml" else PAGE_POLICY
    response.headers["Content-Security-Policy"] = policy
    response.headers.update(HEADERS)


async def _checked(request: web.Request, handler: Handler, pedir: Pedir) -> web.StreamResponse:
    if request.path.startswith(OPEN_PATHS):
        return await handler(request)
    async with pedir.sessions() as session, session.begin():
        signed = await access.signed_in(session, request.cookies.get(COOKIE), pedir.clock.now())
    if signed is None:
        return refuse(request, 401, "web.auth.title", "web.auth.text")
    request[SIGNED] = signed
    request[LOCALE] = pedir.caller(signed.person).locale
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        sent = form.get("csrf")
        if not access.csrf_ok(signed, sent if isinstance(sent, str) else None):
            return refuse(request, 403, "web.forbidden.title", "web.csrf")
    return await handler(request)


def signed_in(request: web.Request) -> SignedIn:
    return request[SIGNED]


def signed_in_or_none(request: web.Request) -> SignedIn | None:
    return request.get(SIGNED)


def render(template: str, request: web.Request, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """A page: the template with `context` and what every page gets (frame)."""
    return aiohttp_jinja2.render_template(template, request, {**frame(request), **context}, status=status)


def refuse(request: web.Request, status: int, title: str, text: str, **values: object) -> web.Response:
    """A page that says why not: `text` filled in with `values` ("Only {team}'s lead...")."""
    return render("message.html", request, {"title_key": title, "text_key": text, "text_values": values},
                  status=status)


def frame(request: web.Request) -> dict[str, Any]:
    """What every template gets: the reader's words and formats, who is signed in, the CSRF token."""
    locale = request.get(LOCALE, "es")
    signed = signed_in_or_none(request)
    pedir = request.app[PEDIR]
    timezone = pedir.caller(signed.person).timezone if signed else pedir.settings.timezone

    def words(key: str, **values: object) -> str:
        return t(locale, key, **values)

    # `words`: the keys there are words for ('"severity." ~ s in words'), for values from data.
    return {"_": words, "words": CATALOG, "locale": locale, "fmt": Formats(locale, timezone),
            "me": signed.person if signed else None, "csrf": signed.csrf_token if signed else ""}
