"""The web dashboard, served by `pedir serve` under /panel: a sub-application with
its own middlewares (sign-in, CSRF, security headers) and Jinja2 templates."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from adapters.web.dashboard import charts, list_pages, pages, signin
from adapters.web.dashboard.guard import PEDIR, guard
from bot.app import Pedir

HERE = Path(__file__).parent
PREFIX = "/panel"


def mount(app: web.Application, pedir: Pedir) -> None:
    panel = web.Application(middlewares=[guard])
    panel[PEDIR] = pedir
    aiohttp_jinja2.setup(panel, loader=jinja2.FileSystemLoader(HERE / "templates"),
                         autoescape=True, undefined=jinja2.StrictUndefined)
    panel.router.add_static("/static/", HERE / "static", name="static")
    panel.router.add_get("/entrar", signin.show_link)
    panel.router.add_post("/entrar", signin.follow_link)
    panel.router.add_post("/salir", signin.sign_out)
    panel.router.add_get("", pages.overview)
    panel.router.add_get("/", pages.overview)
    panel.router.add_get("/lista", pages.figure_list)
    panel.router.add_get("/equipo/{slug}", pages.team)
    panel.router.add_post("/equipo/{slug}/ficha", pages.save_card)
    panel.router.add_get("/clientes", pages.customers)
    panel.router.add_get("/clientes/{slug}", list_pages.customer)
    panel.router.add_get("/incidencias/{issue_id}", list_pages.issue)
    panel.router.add_get("/pulsos", pages.pulses)
    panel.router.add_get("/pulsos/{pulse_id}", list_pages.pulse_rounds)
    panel.router.add_get("/pulsos/{pulse_id}/rondas/{number}", list_pages.round_answers)
    panel.router.add_get("/graficos/resumen.svg", charts.overview_chart)
    panel.router.add_get("/graficos/equipo/{slug}.svg", charts.team_chart)
    panel.router.add_get("/graficos/pulso/{pulse_id}.svg", charts.pulse_chart)
    app.add_subapp(PREFIX, panel)
