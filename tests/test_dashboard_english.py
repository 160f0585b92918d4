"""The dashboard in the reader's language: a person whose locale is English gets
every page in English, with not one of the pages' Spanish sentences left, and
the pages before signing in follow the browser's language."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import update

from bot.i18n import CATALOG
from storage.models import Nudge, Team
from tests.harness.dashboard import csrf_of, panel, sign_in
from tests.harness.issue_support import ANA, JAMES, JAVIER, LUCIA, PABLO
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, scale

# The words the pages are made of: the dashboard's own and the names they borrow.
PAGE_WORDS = ("web.", "card.", "priority.", "signal.", "risk_state_name.", "risk_action.", "severity.",
              "issue_state.")
QUESTIONS = [{"kind": "scale", "text": "How do you rate Support this month?"},
             {"kind": "enps", "text": "Would you recommend Support?"}]


def spanish_fragments() -> set[str]:
    """Each Spanish sentence's fixed parts (between its {placeholders}) that its English one lacks."""
    found = set()
    for key, entry in CATALOG.items():
        if not key.startswith(PAGE_WORDS) or entry.get("es") == entry.get("en"):
            continue
        for part in re.split(r"\{[^}]*\}", entry["es"]):
            part = part.strip(" .,:;·()«»—\n")
            if len(part) >= 4 and re.search(r"[a-záéíóúñ]{3}", part, re.I) and part not in entry["en"]:
                found.add(part)
    return found


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def spanish_in(page: str, fragments: set[str]) -> list[str]:
    text = text_of(page)
    return sorted(fragment for fragment in fragments if fragment in text)


async def english_data(app, folk, sessions, clock) -> int:  # noqa: ANN001
    """Requests, an issue with a late update and a risk flag, a pulse with results: every page has something.
    The organisation's own texts are made English too, so that only the pages' words are checked."""
    async with sessions() as session, session.begin():
        await session.exec(update(Team).values(  # type: ignore[call-overload]
            what_we_do="We keep the lights on.", our_customers="Everyone", ask_us_for="Anything",
            we_need_from_you="Details", customer_needs="Speed", customer_usage="Daily"))
    await app.command(folk[ANA], "/pedir", "@soporte the #acme export is broken")
    await app.command(folk[ANA], "/pedir", "@soporte printer jam")
    await app.command(folk[JAVIER], "/pedir", "tomar PED-1")
    await app.command(folk[JAVIER], "/pedir", "resolver PED-1 done")
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Orders are not syncing")
    await app.command(folk[JAVIER], "/estado", "INC-1 The customer says they are going to cancel the contract.")
    async with sessions() as session, session.begin():  # a reminder sent about PED-2
        session.add(Nudge(subject_kind="request", subject_id=2, kind="request.first_response.warn", window_key="w",
                          recipient_kind="person", recipient_id=folk[JAVIER].id, state="sent",
                          send_at=clock.now(), sent_at=clock.now(), data={"role": "owner"}, created_at=clock.now()))
    hr = folk[JAMES]
    await make_hr(sessions, hr)
    yesterday = clock.now() - timedelta(days=1)
    pulse = await make_pulse(sessions, hr, "soporte", questions=QUESTIONS, min_answers=3)
    await answer(sessions, await make_round(sessions, pulse, 1, yesterday - timedelta(days=30)), scale(2, 2, 3))
    await answer(sessions, await make_round(sessions, pulse, 2, yesterday, team_answer="We will improve"),
                 scale(4, 5, 4, team="ventas") + scale(1, team="legal"))
    clock.advance(days=2)  # the issue's next update is late
    return pulse.id


async def test_an_english_reader_gets_every_page_in_english(app, folk, sessions, clock):  # noqa: ANN001
    pulse_id = await english_data(app, folk, sessions, clock)
    fragments = spanish_fragments()
    assert len(fragments) > 100 and "Pedidos abiertos de" in fragments  # the check checks something
    figures = ("open", "first_response", "resolution", "sla", "sla_met", "bounced", "rated", "nudges", "escalations")
    pages = ["/panel", "/panel?dias=7", "/panel?dias=90", "/panel/equipo/soporte", "/panel/equipo/ventas",
             *(f"/panel/lista?equipo=soporte&dias=90&que={figure}" for figure in figures),
             "/panel/clientes", "/panel/clientes/acme", "/panel/incidencias/1",
             "/panel/pulsos", f"/panel/pulsos/{pulse_id}", f"/panel/pulsos/{pulse_id}/rondas/1",
             f"/panel/pulsos/{pulse_id}/rondas/2", "/panel/equipo/nadie", "/panel/nada"]
    async with panel(app) as client:
        await sign_in(client, app, folk[JAMES])  # locale "en" in the demo organisation; HR here
        seen = {}
        for path in pages:
            page = await (await client.get(path)).text()
            assert '<html lang="en">' in page, path
            assert spanish_in(page, fragments) == [], path
            seen[path] = text_of(page)
    assert "Internal service quality" in seen["/panel"] and "Sign out" in seen["/panel"]
    assert "Customer card" in seen["/panel/equipo/soporte"] and "Queue (1)" in seen["/panel/equipo/soporte"]
    assert "Resolved in the last 90 days" in seen["/panel/lista?equipo=soporte&dias=90&que=resolution"]
    assert "Open issues: 1" in seen["/panel/clientes"] and "late" in seen["/panel/clientes"]
    assert "wants to cancel" in seen["/panel/clientes"] and "SEV2 · high" in seen["/panel/incidencias/1"]
    assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ", seen["/panel/incidencias/1"])  # dates in English too
    assert "Response rate: 4 of 20" in seen["/panel/pulsos"] and "hidden" in seen["/panel/pulsos"]
    assert "Anonymous answers" in seen[f"/panel/pulsos/{pulse_id}/rondas/2"]
    assert "It does not exist." in seen["/panel/equipo/nadie"] and "It does not exist." in seen["/panel/nada"]
    nudges = seen["/panel/lista?equipo=soporte&dias=90&que=nudges"]
    assert "First response: warning" in nudges and "request.first_response.warn" not in nudges
    async with panel(app) as client:
        await sign_in(client, app, folk[JAMES])
        chart = await (await client.get("/panel/graficos/resumen.svg?dias=30")).text()
        assert "Opened" in chart and "% SLA met" in chart and "Abiertos" not in chart
        team = await (await client.get("/panel/equipo/ventas")).text()  # James is a member of Ventas, not its lead
        refused = await client.post("/panel/equipo/ventas/ficha", data={"csrf": csrf_of(team), "our_customers": "x"})
        assert refused.status == 403
        assert "Only Ventas's lead can edit its customer card." in text_of(await refused.text())


async def test_a_spanish_reader_still_gets_spanish(app, folk, sessions, clock):  # noqa: ANN001
    await english_data(app, folk, sessions, clock)
    async with panel(app) as client:
        await sign_in(client, app, folk[PABLO])
        page = await (await client.get("/panel")).text()
        assert '<html lang="es">' in page and "Calidad del servicio interno" in page and "Sign out" not in page
        assert len(spanish_in(page, spanish_fragments())) > 10  # what the English pages are checked against


async def test_pages_before_signing_in_follow_the_browser(app):  # noqa: ANN001
    fragments = spanish_fragments()
    async with panel(app) as client:
        english = {"Accept-Language": "en-GB,en;q=0.8"}
        refused = await client.get("/panel", headers=english)
        assert refused.status == 401
        page = await refused.text()
        assert "You need a link to sign in" in page and spanish_in(page, fragments) == []
        link = await (await client.get("/panel/entrar", params={"t": "x" * 43}, headers=english)).text()
        assert '<html lang="en">' in link and spanish_in(link, fragments) == []
        bad = await (await client.post("/panel/entrar", data={"t": "x" * 43}, headers=english)).text()
        assert "That link was already used" in bad and spanish_in(bad, fragments) == []
        assert "Necesitas un enlace" in await (await client.get("/panel")).text()  # Spanish by default
