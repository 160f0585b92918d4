"""The lists behind the customers' and pulses' numbers: each number links to a
page that lists what it counts, under the same visibility and anonymity rules."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from bot.pulses.states import OPEN
from storage.models import Issue, PulseRound, Request, StatusUpdate
from tests.harness.dashboard import panel, sign_in
from tests.harness.issue_support import ANA, JAVIER, LUCIA, PABLO
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, scale
from tests.pulse_support import RAQUEL


def links(fragment: str) -> list[tuple[str, str]]:
    """(href, text) of every link in an HTML fragment, text without tags or entities."""
    return [(html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', fragment, re.S)]


def rows(page: str, table: str) -> int:
    found = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, f"no {table} table"
    return found[1].count("<tr")


async def count(sessions, model, *where) -> int:  # noqa: ANN001
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_the_customers_numbers_link_to_the_lists_they_count(app, folk, clock, sessions):  # noqa: ANN001
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    await app.command(folk[JAVIER], "/estado", "INC-1 El cliente nos dice que se van a la competencia.")
    await app.command(folk[ANA], "/pedir", "@facturacion revisar la factura de #acme")
    await app.command(folk[ANA], "/pedir", "@facturacion abono pendiente de #acme")
    clock.advance(days=3)  # the next update is long due
    async with panel(app) as client:
        await sign_in(client, app, folk[PABLO])  # reads none of ACME's requests
        page = await (await client.get("/panel/clientes")).text()
        section = re.search(r'<section class="customer[^"]*" data-customer="acme">(.*?)</section>', page, re.S)[1]
        found = links(section)
        assert ("/panel/clientes/acme#issues", "Incidencias abiertas: 1") in found
        assert ("/panel/clientes/acme#issues", "con la actualización atrasada: 1") in found
        assert ("/panel/clientes/acme#risks", "Señales de riesgo: 1") in found
        late = [text for href, text in found if href == "/panel/incidencias/1#updates" and "tarde" in text]
        assert late and ("/panel/incidencias/1", "INC-1") in found

        customer = await client.get("/panel/clientes/acme")
        assert customer.status == 200
        customer = await customer.text()
        assert rows(customer, "issues") == 1 and 'class="late"' in customer
        in_db = await count(sessions, Request, Request.customer_id.is_not(None))
        assert in_db == 2 and f"Pedidos sobre el cliente: {in_db}" in customer
        assert rows(customer, "requests") == 0 and "2 más que no puedes leer" in customer
        assert "se van a la competencia" in customer  # the flag's words come from an issue: open to all

        issue = await (await client.get("/panel/incidencias/1")).text()
        updates = await count(sessions, StatusUpdate, StatusUpdate.issue_id == 1)
        assert rows(issue, "updates") == updates and f"Actualizaciones de estado ({updates})" in issue
        assert "El cliente nos dice que se van a la competencia." in issue
        assert (await client.get("/panel/incidencias/99")).status == 404
        assert (await client.get("/panel/incidencias/x")).status == 404
        assert (await client.get("/panel/clientes/nadie")).status == 404
    async with panel(app) as client:  # the requester reads her own requests about ACME
        await sign_in(client, app, folk[ANA])
        customer = await (await client.get("/panel/clientes/acme")).text()
        assert rows(customer, "requests") == 2 and "abono pendiente" in customer and "no puedes leer" not in customer


async def test_the_pulses_numbers_link_to_rounds_and_answers_under_the_rules(app, folk, sessions, clock):  # noqa: ANN001
    raquel = folk[RAQUEL]
    await make_hr(sessions, raquel)
    yesterday = clock.now() - timedelta(days=1)
    under = await make_pulse(sessions, raquel, "sistemas", min_answers=5)
    await answer(sessions, await make_round(sessions, under, 1, yesterday), scale(5, 5, 5, 4))
    over = await make_pulse(sessions, raquel, "soporte", min_answers=3)
    await answer(sessions, await make_round(sessions, over, 1, yesterday - timedelta(days=30)), scale(2, 2, 3))
    await answer(sessions, await make_round(sessions, over, 2, yesterday), scale(4, 5, 4, team="ventas") + scale(1, team="legal"))
    await answer(sessions, await make_round(sessions, over, 3, clock.now() + timedelta(days=2), state=OPEN),
                 scale(5, 5), tallied=False)
    async with panel(app) as client:
        await sign_in(client, app, raquel)
        page = await (await client.get("/panel/pulsos")).text()
        card = re.search(rf'<article class="pulse" data-pulse="{over.id}">(.*?)</article>', page, re.S)[1]
        found = links(card)
        # The open round: how many answered so far (from participation), and no figures.
        assert (f"/panel/pulsos/{over.id}#ronda-3", "Participación: 0 de 20 (0\xa0%)") in found
        assert (f"/panel/pulsos/{over.id}/rondas/2#p0", "3,5 · 4 respuestas") in found  # the latest closed one

        rounds = await (await client.get(f"/panel/pulsos/{over.id}")).text()
        assert rows(rounds, "rounds") == await count(sessions, PulseRound, PulseRound.pulse_id == over.id) == 3
        assert (f"/panel/pulsos/{over.id}/rondas/1#p0", "2,3") in links(rounds)
        open_row = re.search(r'<tr id="ronda-3">(.*?)</tr>', rounds, re.S)[1]
        assert "abierta" in open_row and "#p0" not in open_row  # an open round shows no figure

        answers = await (await client.get(f"/panel/pulsos/{over.id}/rondas/2")).text()
        scores = dict(re.findall(r"<tr><td>(\d+)</td><td class=\"num\">(\d+)</td></tr>", answers))
        assert scores == {"5": "1", "4": "2", "3": "0", "2": "0", "1": "1"}  # what "4 respuestas" counts
        assert sum(map(int, scores.values())) == 4
        groups = re.search(r'<table class="groups">(.*?)</table>', answers, re.S)[1]
        assert "Legal" in groups and "Ventas" in groups and groups.count("oculto") == 2  # complement hidden too
        assert not [p.name for p in folk.values() if p.name in answers.split("<main>")[1]]  # nobody's name

        under_page = await (await client.get(f"/panel/pulsos/{under.id}/rondas/1")).text()
        assert "Menos de 5 respuestas" in under_page and 'class="scores"' not in under_page
        open_page = await (await client.get(f"/panel/pulsos/{over.id}/rondas/3")).text()
        assert "Abierta: los resultados" in open_page and 'class="scores"' not in open_page
        assert (await client.get(f"/panel/pulsos/{over.id}/rondas/9")).status == 404
    async with panel(app) as client:  # Soporte's lead reads its pulse, not Sistemas'
        await sign_in(client, app, folk[JAVIER])
        assert (await client.get(f"/panel/pulsos/{over.id}/rondas/2")).status == 200
        assert (await client.get(f"/panel/pulsos/{under.id}")).status == 404
        assert (await client.get(f"/panel/pulsos/{under.id}/rondas/1")).status == 404
    async with panel(app) as client:  # a member reads none
        await sign_in(client, app, folk[LUCIA])
        assert (await client.get(f"/panel/pulsos/{over.id}")).status == 404
        assert (await client.get(f"/panel/pulsos/{over.id}/rondas/2")).status == 404


async def test_an_issue_closed_recently_is_listed_on_its_customer(app, folk, sessions):  # noqa: ANN001
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev3 La exportación tarda")
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-1 resuelto")
    async with sessions() as session:
        assert (await session.get(Issue, 1)).closed_at is not None
    async with panel(app) as client:
        await sign_in(client, app, folk[ANA])
        customer = await (await client.get("/panel/clientes/acme")).text()
        assert "Cerradas en los últimos 30 días: 1" in customer and "/panel/incidencias/1" in customer
