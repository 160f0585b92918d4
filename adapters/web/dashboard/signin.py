"""Following a sign-in link, and signing out.

The link opens a page with one button: the link is spent by that POST, not by
the GET, so a chat client that previews links cannot use it up.
"""

from __future__ import annotations

from aiohttp import web

from adapters.web.dashboard.guard import COOKIE, PEDIR, SIGNED, refuse, render, signed_in
from bot.dashboard import access

MAX_TOKEN = 100  # ours are 43 characters: anything far longer is not one


async def show_link(request: web.Request) -> web.StreamResponse:
    token = request.query.get("t", "")
    if not token or len(token) > MAX_TOKEN:
        return refuse(request, 401, "web.auth.title", "web.auth.text")
    return render("signin.html", request, {"token": token})


async def follow_link(request: web.Request) -> web.StreamResponse:
    pedir = request.app[PEDIR]
    token = (await request.post()).get("t")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return refuse(request, 401, "web.auth.title", "web.auth.bad_link")
    async with pedir.sessions() as session, session.begin():
        cookie = await access.redeem(session, token, pedir.clock.now())
    if cookie is None:
        return refuse(request, 401, "web.auth.title", "web.auth.bad_link")
    response = web.HTTPSeeOther("/panel")
    response.set_cookie(COOKIE, cookie, path="/panel", httponly=True, samesite="Lax",
                        secure=request.secure or pedir.settings.base_url.startswith("https://"))
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    pedir = request.app[PEDIR]
    async with pedir.sessions() as session, session.begin():
        await access.sign_out(session, signed_in(request).token_hash)
    request[SIGNED] = None  # the page after this shows no one signed in
    response = refuse(request, 200, "web.auth.title", "web.auth.signed_out")
    response.del_cookie(COOKIE, path="/panel")
    return response
