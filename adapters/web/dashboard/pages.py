"""The dashboard's pages: each reads its figures from bot.dashboard in one
read-only transaction and renders a template."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from sqlmodel import select

from adapters.web.dashboard.guard import LOCALE, PEDIR, refuse, render, signed_in
from bot.context import Ctx
from bot.dashboard import counted, figures, lists, scope
from bot.dashboard import customers as customer_model
from bot.dashboard import pulses as pulse_model
from bot.teams import card
from storage.models import Team


def _days(request: web.Request) -> int:
    return figures.period_of(request.query.get("dias"))


async def overview(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    days = _days(request)
    async with pedir.sessions() as session:
        viewer = await scope.viewer(session, me)
        teams = await scope.visible_teams(session, viewer)
        result = await figures.overview(session, teams, pedir.clock.now(), days)
    return render("overview.html", request, {"overview": result, "days": days, "periods": figures.PERIODS})


async def _team_or_refusal(session, request: web.Request, viewer: scope.Viewer,  # noqa: ANN001
                           slug: str | None = None) -> Team | web.Response:
    slug = request.match_info["slug"] if slug is None else slug
    team = (await session.exec(select(Team).where(Team.slug == slug))).first()
    if team is None:
        return refuse(request, 404, "web.not_found", "web.not_found")
    if not viewer.sees_team(team.id):
        return refuse(request, 403, "web.forbidden.title", "web.forbidden.text")
    return team


async def team(request: web.Request) -> web.StreamResponse:
    return await _team_page(request)


async def _team_page(request: web.Request, errors: dict[str, str] | None = None,
                     values: dict[str, str] | None = None) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    days, now = _days(request), pedir.clock.now()
    async with pedir.sessions() as session:
        viewer = await scope.viewer(session, me)
        found = await _team_or_refusal(session, request, viewer)
        if isinstance(found, web.Response):
            return found
        row = (await figures.overview(session, [found], now, days)).teams[0]
        queue = await lists.requests_behind(session, found, "open", now, me.id, now)
        readable = await pulse_model.readable(session, me, found.id)
        answers = await pulse_model.team_answers(session, found.id)
    return render("team.html", request, {
        "team": found, "row": row, "queue": queue, "days": days, "periods": figures.PERIODS,
        "questions": card.QUESTIONS, "card": values or card.answers(found), "errors": errors or {},
        "can_edit": viewer.leads(found.id), "reviewed": card.reviewed_text(found, now, request[LOCALE]),
        "stale": card.stale(found, now), "pulses": readable, "answers": answers,
    }, status=400 if errors else 200)


async def save_card(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    form = await request.post()
    values = {name: str(form.get(name, "")) for name in card.QUESTIONS}
    async with pedir.sessions() as session, session.begin():
        viewer = await scope.viewer(session, me)
        found = await _team_or_refusal(session, request, viewer)
        if isinstance(found, web.Response):
            return found
        if not viewer.leads(found.id):
            return refuse(request, 403, "web.forbidden.title", "card.not_lead", team=found.name)
        ctx = Ctx(session=session, now=pedir.clock.now())
        errors = await card.save(ctx, me.id, found, values)
    if errors:
        return await _team_page(request, errors, values)
    raise web.HTTPSeeOther(f"/panel/equipo/{found.slug}")


async def figure_list(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    figure, days, now = request.query.get("que", ""), _days(request), pedir.clock.now()
    if figure not in (*counted.REQUEST_FIGURES, "rated", *counted.NUDGE_FIGURES):
        return refuse(request, 404, "web.not_found", "web.not_found")
    since = now - timedelta(days=days)
    async with pedir.sessions() as session:
        viewer = await scope.viewer(session, me)
        found = await _team_or_refusal(session, request, viewer, request.query.get("equipo", ""))
        if isinstance(found, web.Response):
            return found
        if figure in counted.NUDGE_FIGURES:
            found_rows, nudges = None, await lists.nudges_behind(session, found, figure, since)
        else:
            found_rows, nudges = await lists.requests_behind(session, found, figure, since, me.id, now), None
    return render("list.html", request, {"team": found, "figure": figure, "days": days,
                                                  "requests": found_rows, "nudges": nudges})


async def customers(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    async with pedir.sessions() as session:
        lines = await customer_model.customers_page(session, me, pedir.clock.now())
    return render("customers.html", request, {"lines": lines})


async def pulses(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    async with pedir.sessions() as session:
        cards = await pulse_model.readable(session, me)
    return render("pulses.html", request, {"cards": cards})
