"""The dashboard's pages: who sees what, figures that match the database,
escaping, the customer card editor, and pulses under the anonymity rules."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.dashboard import trends
from bot.pulses.states import OPEN
from storage.models import Request, Team
from tests.harness.dashboard import csrf_of, panel, sign_in
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, scale
from tests.pulse_support import RAQUEL

SCRIPT = "<script>alert(1)</script>"


def row_of(html: str, slug: str) -> list[str]:
    """The overview's cells for one team, as text."""
    row = re.search(rf'<tr data-team="{slug}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {slug}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


async def test_a_member_sees_their_teams_only_and_no_editor(app, folk):  # noqa: ANN001
    async with panel(app) as client:
        await sign_in(client, app, folk["irene.vazquez"])  # a member of Sistemas
        html = await (await client.get("/panel")).text()
        assert 'data-team="sistemas"' in html and 'data-team="soporte"' not in html
        team = await (await client.get("/panel/equipo/sistemas")).text()
        assert 'id="save-card"' not in team
        assert (await client.get("/panel/equipo/soporte")).status == 403
        assert (await client.get("/panel/lista?equipo=soporte&que=open")).status == 403
        assert (await client.get("/panel/graficos/equipo/soporte.svg")).status == 404
        csrf = csrf_of(team)
        refused = await client.post("/panel/equipo/sistemas/ficha", data={"csrf": csrf, "our_customers": "x"})
        assert refused.status == 403


async def test_a_lead_edits_the_card_and_chat_shows_it(app, folk):  # noqa: ANN001
    pablo = folk["pablo.jimenez"]
    async with panel(app) as client:
        await sign_in(client, app, pablo)
        page = await (await client.get("/panel/equipo/sistemas")).text()
        assert 'id="save-card"' in page and "nunca revisada" in page
        overview = await (await client.get("/panel")).text()
        assert "sin revisar 6+ meses" in row_of(overview, "sistemas")[-1]
        card = {"our_customers": "Toda la empresa", "customer_needs": "Portátiles a punto",
                "customer_usage": "Para trabajar cada día", "ask_us_for": "/pedir @sistemas",
                "we_need_from_you": SCRIPT}
        no_token = await client.post("/panel/equipo/sistemas/ficha", data=card)
        assert no_token.status == 403
        saved = await client.post("/panel/equipo/sistemas/ficha", data={**card, "csrf": csrf_of(page)},
                                  allow_redirects=False)
        assert saved.status == 303
        page = await (await client.get("/panel/equipo/sistemas")).text()
        assert "Portátiles a punto" in page and SCRIPT not in page and "&lt;script&gt;" in page
        assert "sin revisar" not in row_of(await (await client.get("/panel")).text(), "sistemas")[-1]
        too_long = await client.post("/panel/equipo/sistemas/ficha",
                                     data={**card, "customer_needs": "x" * 5000, "csrf": csrf_of(page)})
        assert too_long.status == 400 and "Demasiado largo" in await too_long.text()
    reply = await app.command(folk["ana.garcia"], "equipo", "@sistemas")
    values = {fact.label: fact.value for fact in reply.message.fields}
    assert values["¿Qué necesitan de nosotros?"] == "Portátiles a punto"
    assert values["Ficha revisada"].startswith("el ")


async def test_the_chat_form_edits_the_card_for_its_lead_only(app, folk):  # noqa: ANN001
    refused = await app.command(folk["irene.vazquez"], "equipo", "editar @sistemas")
    assert refused.refused and "Solo quien lidera" in refused.message.text
    form = (await app.command(folk["pablo.jimenez"], "equipo", "editar")).form
    assert form is not None and [f.name for f in form.fields][:2] == ["our_customers", "customer_needs"]
    done = await app.submit(folk["pablo.jimenez"], form.id, form.context,
                            {"our_customers": "Todos", "customer_needs": "Que funcione"})
    assert "guardada" in done.message.text
    async with app.sessions() as session:
        team = (await session.exec(select(Team).where(Team.slug == "sistemas"))).one()
    assert team.customer_needs == "Que funcione" and team.card_reviewed_at == app.clock.now()


async def test_requests_text_is_escaped_and_figures_match_the_database(app, folk, clock):  # noqa: ANN001
    ana, pablo = folk["ana.garcia"], folk["pablo.jimenez"]
    for n in range(3):
        await app.command(ana, "pedir", f"@sistemas {SCRIPT} número {n}")
    clock.advance(hours=2)
    await app.command(pablo, "pedir", "tomar PED-1")
    clock.advance(hours=1)
    await app.command(pablo, "pedir", "resolver PED-1 hecho")
    async with app.sessions() as session:
        open_now = (await session.exec(select(func.count()).select_from(Request).where(
            col(Request.status).in_(("new", "in_progress", "waiting_info"))))).one()
    async with panel(app) as client:
        await sign_in(client, app, pablo)
        cells = row_of(await (await client.get("/panel?dias=7")).text(), "sistemas")
        assert cells[1] == str(open_now) == "2"
        assert cells[2] == "2 h" and cells[3] == "3 h"  # medians: first response, resolution
        listed = await (await client.get("/panel/lista?equipo=sistemas&que=open&dias=7")).text()
        assert listed.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2 and SCRIPT not in listed
        assert re.search(r'<p class="count">2</p>', listed)
        queue = await (await client.get("/panel/equipo/sistemas")).text()
        assert SCRIPT not in queue and "PED-3" in queue
    async with panel(app) as client:  # HR sees the team's figures, not the text of requests it may not read
        await make_hr(app.sessions, folk["elena.torres"])
        await sign_in(client, app, folk["elena.torres"])
        assert row_of(await (await client.get("/panel")).text(), "sistemas")[1] == "2"
        listed = await (await client.get("/panel/lista?equipo=sistemas&que=open")).text()
        assert "alert(1)" not in listed and "2 más que no puedes leer" in listed


async def test_pulses_show_under_the_anonymity_rules(app, folk, sessions, clock):  # noqa: ANN001
    raquel = folk[RAQUEL]
    await make_hr(sessions, raquel)
    yesterday = clock.now() - timedelta(days=1)
    under = await make_pulse(sessions, raquel, "sistemas", min_answers=5)
    round_under = await make_round(sessions, under, 1, yesterday)
    await answer(sessions, round_under, scale(5, 5, 5, 4))  # 4 < 5: nothing but the count
    over = await make_pulse(sessions, raquel, "soporte", min_answers=3)
    await answer(sessions, await make_round(sessions, over, 1, yesterday - timedelta(days=30)), scale(2, 2, 3))
    await answer(sessions, await make_round(sessions, over, 2, yesterday, team_answer="Lo mejoramos"),
                 scale(4, 5, 4, team="ventas") + scale(1, team="legal"))
    still_open = await make_pulse(sessions, raquel, None, min_answers=1)
    await answer(sessions, await make_round(sessions, still_open, 1, clock.now() + timedelta(days=2), state=OPEN),
                 scale(5, 5), tallied=False)
    async with panel(app) as client:
        await sign_in(client, app, raquel)
        page = await (await client.get("/panel/pulsos")).text()
        cards = dict(re.findall(r'<article class="pulse" data-pulse="(\d+)">(.*?)</article>', page, re.S))
        assert "Menos de 5 respuestas" in cards[str(under.id)] and 'class="figure"' not in cards[str(under.id)]
        assert "Abierta" in cards[str(still_open.id)] and 'class="figure"' not in cards[str(still_open.id)]
        shown = cards[str(over.id)]
        assert 'class="figure"' in shown and "Lo mejoramos" in shown
        assert "Legal: oculto" in shown  # one answer from Legal: hidden, and Ventas with it (complement)
        assert "Ventas: oculto" in shown
        assert (await client.get(f"/panel/graficos/pulso/{under.id}.svg")).status == 404
        chart = await client.get(f"/panel/graficos/pulso/{over.id}.svg")
        assert chart.status == 200 and "<svg" in await chart.text()
    async with panel(app) as client:  # Soporte's lead reads its pulse; a member reads none
        await sign_in(client, app, folk["javier.martin"])
        page = await (await client.get("/panel/pulsos")).text()
        assert f'data-pulse="{over.id}"' in page and f'data-pulse="{under.id}"' not in page
        team = await (await client.get("/panel/equipo/soporte")).text()
        assert "Lo mejoramos" in team and 'class="figure"' in team
    async with panel(app) as client:
        await sign_in(client, app, folk["lucia.hernandez"])
        assert "data-pulse" not in await (await client.get("/panel/pulsos")).text()
        assert "Lo mejoramos" in await (await client.get("/panel/equipo/soporte")).text()


async def test_the_trend_counts_todays_requests_in_its_last_bucket(app, folk, sessions):  # noqa: ANN001
    await app.command(folk["ana.garcia"], "pedir", "@sistemas la VPN no conecta")
    async with sessions() as session:
        team = (await session.exec(select(Team).where(Team.slug == "sistemas"))).one()
        for days, buckets in ((7, 7), (30, 30), (90, 13)):
            trend = await trends.requests_trend(session, [team.id], app.clock.now(), days, "Europe/Madrid")
            assert len(trend.labels) == buckets and sum(trend.opened) == trend.opened[-1] == 1
