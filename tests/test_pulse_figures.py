"""Next to a pulse's results: the subject team's request figures over the round's
period, and the CSV export (aggregates only, the same threshold rules).

Runs on SQLite and PostgreSQL (the command-line run: SQLite). The clock is
Wednesday 2026-11-25, 10:00 in Madrid; P-1 asks about Sistemas.
"""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.pulses import export, figures
from bot.pulses.states import COMMENT, OPEN
from storage.models import Request, RequestRating, Team
from tests.harness.cli import pedir
from tests.harness.pulse_answers import answer, make_hr, make_pulse, make_round, scale

ANA = "ana.garcia"


@pytest.fixture
async def pulse(app, folk, sessions):  # noqa: ANN001, ANN201
    await make_hr(sessions, folk[ANA])
    return await make_pulse(sessions, folk[ANA])


async def add_request(sessions, requester, team_slug: str, created, *, first_after=None, first_met=None,  # noqa: ANN001
                      resolved_after=None, resolution_met=None, rating=None, rated_after=None) -> None:
    async with sessions() as session, session.begin():
        team = (await session.exec(select(Team).where(Team.slug == team_slug))).one()
        request = Request(requester_id=requester.id, team_id=team.id, description="algo", created_at=created,
                          status="resolved" if resolved_after else "in_progress",
                          first_response_at=created + first_after if first_after else None,
                          first_response_met=first_met,
                          resolved_at=created + resolved_after if resolved_after else None,
                          resolution_met=resolution_met)
        session.add(request)
        await session.flush()
        if rating is not None:
            session.add(RequestRating(request_id=request.id, score=rating, created_at=created + rated_after))


async def test_team_figures_count_what_happened_in_the_round_period(pulse, folk, sessions, clock):
    now = clock.now()
    await make_round(sessions, pulse, 1, now - timedelta(days=31))  # the period starts at its close
    current = await make_round(sessions, pulse, 2, now - timedelta(days=1))
    ana = folk[ANA]
    inside = now - timedelta(days=20)
    hour = timedelta(hours=1)
    await add_request(sessions, ana, "sistemas", inside, first_after=hour, first_met=True,
                      resolved_after=3 * hour, resolution_met=True, rating=5, rated_after=4 * hour)
    await add_request(sessions, ana, "sistemas", inside, first_after=3 * hour, first_met=False,
                      resolved_after=30 * hour, resolution_met=False, rating=2, rated_after=31 * hour)
    await add_request(sessions, ana, "sistemas", inside, first_after=2 * hour, first_met=True)
    await add_request(sessions, ana, "sistemas", inside)  # not answered yet
    # Outside the period, or another team's: not counted.
    await add_request(sessions, ana, "sistemas", now - timedelta(days=40), first_after=hour, first_met=False,
                      resolved_after=hour, resolution_met=False, rating=1, rated_after=hour)
    await add_request(sessions, ana, "soporte", inside, first_after=10 * hour, first_met=False, rating=1, rated_after=hour)
    async with sessions() as session:
        found = await figures.team_figures(session, pulse.subject_team_id, current)
    assert (found.start, found.end) == (now - timedelta(days=31), now - timedelta(days=1))
    assert found.requests == 4
    assert found.median_first_response == 2 * hour
    assert (found.slas, found.slas_met) == (5, 3)  # three first responses, two resolutions
    assert (found.ratings, found.average_rating) == (2, 3.5)


async def test_a_first_round_looks_back_thirty_days_from_its_opening(pulse, sessions, clock):
    current = await make_round(sessions, pulse, 1, clock.now() - timedelta(days=1))
    async with sessions() as session:
        found = await figures.team_figures(session, pulse.subject_team_id, current)
    assert found.start == current.opens_at - timedelta(days=30)
    assert (found.requests, found.median_first_response, found.sla_share, found.average_rating) == (0, None, None, None)


async def test_the_figures_show_next_to_the_score(app, pulse, folk, sessions, clock):
    current = await make_round(sessions, pulse, 1, clock.now() - timedelta(days=1))
    await answer(sessions, current, scale(4, 4, 4, 4, 4))
    await add_request(sessions, folk[ANA], "sistemas", clock.now() - timedelta(days=5), first_after=timedelta(hours=2),
                      first_met=True, rating=4, rated_after=timedelta(days=1))
    message = (await app.command(folk[ANA], "/pulso", "resultados P-1")).message
    facts = {fact.label: fact.value for fact in message.fields}
    assert facts == {
        "Peticiones a Sistemas en el periodo": "1",
        "Primera respuesta (mediana)": "2 h",
        "SLA cumplidos": "100\u00a0% de 1",
        "Valoración media": "4,0 de 5 (1 valoraciones)",
    }


# ---------------------------------------------------------------- export


async def test_export_holds_aggregates_only_under_the_same_rules(pulse, sessions, clock):
    now = clock.now()
    below = await make_round(sessions, pulse, 1, now - timedelta(days=60))
    await answer(sessions, below, [("ventas", {0: 5, COMMENT: "secreto"})] * 2)
    shown = await make_round(sessions, pulse, 2, now - timedelta(days=30), audience=20)
    await answer(sessions, shown, [("ventas", {0: 5, 1: 10, COMMENT: "secreto"})] * 6
                 + [("soporte", {0: 3, 1: 7})] * 5 + [("legal", {0: 1, 1: 0})] * 1)
    await make_round(sessions, pulse, 3, now + timedelta(days=2), state=OPEN)
    async with sessions() as session:
        rows = await export.export_rows(session, pulse)
    assert [(r["round"], r["status"], r.get("question"), r.get("group")) for r in rows] == [
        (1, "below_threshold", None, None),
        (2, "shown", 1, "all"), (2, "shown", 1, "Ventas"),
        (2, "shown", 2, "all"), (2, "shown", 2, "Ventas"),
        (3, "open", None, None),
    ]
    assert rows[0]["respondents"] == 2 and "average" not in rows[0]
    overall = rows[1]
    assert (overall["respondents"], overall["answers"], overall["average"]) == (12, 12, 3.833)  # 46 / 12
    assert (overall["score_5"], overall["score_3"], overall["score_1"], overall["response_rate"]) == (6, 5, 1, 0.6)
    enps = rows[3]
    assert (enps["enps"], enps["promoters"], enps["detractors"]) == (41.67, 0.5, 0.0833)
    assert rows[2]["average"] == 5.0 and rows[4]["enps"] == 100.0
    assert "secreto" not in repr(rows)


async def test_pedir_pulse_export_writes_the_csv(backend, database_url, pulse, sessions, clock, tmp_path):
    if backend != "sqlite":
        pytest.skip("the command line run is the same on both; its queries are tested above")
    shown = await make_round(sessions, pulse, 1, clock.now() - timedelta(days=1))
    await answer(sessions, shown, scale(4, 4, 5, 5, 5))
    out = tmp_path / "p1.csv"
    done = pedir("pulse", "export", "P-1", "--csv", str(out), cwd=tmp_path, DATABASE_URL=database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"3 filas en {out}"
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["round"], r["question"], r["group"], r["status"], r["average"], r["score_5"]) for r in rows] == [
        ("1", "1", "all", "shown", "4.6", "3"), ("1", "1", "Ventas", "shown", "4.6", ""),
        ("1", "2", "all", "question_below_threshold", "", ""),  # nobody answered the eNPS question
    ]
    missing = pedir("pulse", "export", "P-9", "--csv", str(out), cwd=tmp_path, DATABASE_URL=database_url)
    assert missing.returncode == 1 and "No encuentro el pulso P-9" in missing.stderr
    bad = pedir("pulse", "export", "Q-1", "--csv", str(out), cwd=tmp_path, DATABASE_URL=database_url)
    assert bad.returncode == 2 and "«Q-1» no es un pulso" in bad.stderr
