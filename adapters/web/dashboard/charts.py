"""The charts, drawn by pygal as standalone SVG documents the pages show as <img>.

As images they run no script (pygal adds a config script to every chart) and
need no inline style on the page, so the page's CSP stays strict.
"""

from __future__ import annotations

import pygal
from aiohttp import web
from pygal.style import Style
from sqlmodel import select

from adapters.web.dashboard.guard import LOCALE, PEDIR, signed_in
from bot.dashboard import figures, scope, trends
from bot.dashboard import pulses as pulse_model
from bot.i18n import format_day, t
from storage.models import Team

STYLE = Style(background="white", plot_background="white", foreground="#333", foreground_strong="#111",
              foreground_subtle="#999", colors=("#2563eb", "#16a34a", "#dc2626", "#9333ea"),
              font_family="sans-serif")
SIZE = {"width": 900, "height": 320}


def _svg(chart: pygal.graph.graph.Graph) -> web.Response:
    return web.Response(body=chart.render(), content_type="image/svg+xml")


def _line(**options: object) -> pygal.Line:
    return pygal.Line(style=STYLE, js=[], disable_xml_declaration=False, show_dots=True, dots_size=3,
                      x_label_rotation=30, legend_at_bottom=True, truncate_legend=-1, **SIZE, **options)


def _requests_chart(trend: trends.Trend, locale: str) -> pygal.Line:
    chart = _line(secondary_range=(0, 100))
    chart.x_labels = [format_day(label, locale) for label in trend.labels]
    chart.add(t(locale, "web.trend.opened"), trend.opened)
    chart.add(t(locale, "web.trend.resolved"), trend.resolved)
    chart.add(t(locale, "web.trend.sla"), trend.sla_share, secondary=True)
    return chart


async def overview_chart(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    days = figures.period_of(request.query.get("dias"))
    async with pedir.sessions() as session:
        teams = await scope.visible_teams(session, await scope.viewer(session, me))
        trend = await trends.requests_trend(session, [team.id for team in teams], pedir.clock.now(), days,
                                            pedir.caller(me).timezone)
    return _svg(_requests_chart(trend, request[LOCALE]))


async def team_chart(request: web.Request) -> web.StreamResponse:
    pedir, me = request.app[PEDIR], signed_in(request).person
    days = figures.period_of(request.query.get("dias"))
    async with pedir.sessions() as session:
        viewer = await scope.viewer(session, me)
        team = (await session.exec(select(Team).where(Team.slug == request.match_info["slug"]))).first()
        if team is None or not viewer.sees_team(team.id):
            raise web.HTTPNotFound()
        trend = await trends.requests_trend(session, [team.id], pedir.clock.now(), days, team.timezone)
    return _svg(_requests_chart(trend, request[LOCALE]))


async def pulse_chart(request: web.Request) -> web.StreamResponse:
    """A pulse's trend per numeric question: the figures bot.pulses.results lets show (None: under the threshold)."""
    pedir, me = request.app[PEDIR], signed_in(request).person
    raw = request.match_info["pulse_id"]
    if not raw.isdecimal():
        raise web.HTTPNotFound()
    async with pedir.sessions() as session:
        cards = [c for c in await pulse_model.readable(session, me) if c.pulse.id == int(raw)]
    if not cards or cards[0].shown is None or not cards[0].shown.shown:
        raise web.HTTPNotFound()
    chart = _line()
    questions = [q for q in cards[0].shown.questions if q.trend]
    if questions:
        chart.x_labels = [str(point.round_number) for point in questions[0].trend]
    for question in questions:
        chart.add(question.text[:60], [point.value for point in question.trend])
    return _svg(chart)
