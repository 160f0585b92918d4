"""The pages behind the customers' and pulses' numbers: a customer's issues,
requests and risk flags; an issue's status updates; a pulse's rounds; a
round's answers. Each reads from bot.dashboard under the same rules as the
page it is linked from, in one read-only transaction."""

from __future__ import annotations

from aiohttp import web

from adapters.web.dashboard.guard import PEDIR, refuse, render, signed_in
from bot.dashboard import customer_lists, pulse_lists


def _number(request: web.Request, name: str) -> int | None:
    raw = request.match_info[name]
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def _missing(request: web.Request) -> web.Response:
    return refuse(request, 404, "web.not_found", "web.not_found")


async def customer(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    async with pedir.sessions() as session:
        page = await customer_lists.customer_page(session, me, request.match_info["slug"], pedir.clock.now())
    return _missing(request) if page is None else render("customer.html", request, {"page": page})


async def issue(request: web.Request) -> web.StreamResponse:
    pedir = request.app[PEDIR]
    issue_id = _number(request, "issue_id")
    if issue_id is None:
        return _missing(request)
    async with pedir.sessions() as session:
        page = await customer_lists.issue_page(session, issue_id, pedir.clock.now())
    return _missing(request) if page is None else render("issue.html", request, {"page": page})


async def pulse_rounds(request: web.Request) -> web.StreamResponse:
    """A pulse's rounds; a pulse the reader may not read is as missing as one that does not exist."""
    pedir, me = request.app[PEDIR], signed_in(request).person
    pulse_id = _number(request, "pulse_id")
    if pulse_id is None:
        return _missing(request)
    async with pedir.sessions() as session:
        found = await pulse_lists.pulse_rounds(session, me, pulse_id)
    return _missing(request) if found is None else render("pulse_rounds.html", request, {"found": found})


async def round_answers(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    pulse_id, number = _number(request, "pulse_id"), _number(request, "number")
    if pulse_id is None or number is None:
        return _missing(request)
    async with pedir.sessions() as session:
        found = await pulse_lists.round_answers(session, me, pulse_id, number)
    return _missing(request) if found is None else render("round_answers.html", request, {"found": found})
