"""The dashboard's sweep: expired sign-in links and idle sessions are deleted by a
scheduled job (dashboard.sweep), whether or not anyone asks for a new link."""

from __future__ import annotations

from sqlmodel import select

from adapters.worker import build_scheduler
from bot.app import Pedir
from bot.config import Settings
from bot.context import Ctx
from bot.dashboard import access, sweep
from storage.models import DashboardLink, DashboardSession
from tests.harness.dashboard import link_for, panel, sign_in


def the_job(app):  # noqa: ANN001, ANN201
    [job] = [job for job in app.registry.jobs if job.name == "dashboard.sweep"]
    return job


async def stored(app) -> tuple[set[str], set[int]]:  # noqa: ANN001
    """The link hashes kept, and whose sessions are kept."""
    async with app.sessions() as session:
        links = set((await session.exec(select(DashboardLink.token_hash))).all())
        people = set((await session.exec(select(DashboardSession.person_id))).all())
    return links, people


async def test_the_sweep_deletes_expired_links_and_idle_sessions_on_its_own(app, folk, clock):  # noqa: ANN001
    ana, irene = folk["ana.garcia"], folk["irene.vazquez"]
    unused = await link_for(app, ana)
    async with panel(app) as irene_browser, panel(app) as ana_browser:
        await sign_in(irene_browser, app, irene)  # spends a second link
        clock.advance(minutes=14)
        await app.run_job(the_job(app))
        links, people = await stored(app)
        assert access.digest(unused) in links and len(links) == 2 and people == {irene.id}  # nothing due yet

        clock.advance(minutes=1)  # both links are 15 minutes old: past their time, used or not
        report = await app.run_job(the_job(app))
        assert (report.done, report.failed) == (1, 0)
        assert await stored(app) == (set(), {irene.id})

        await sign_in(ana_browser, app, ana)
        clock.advance(hours=11)
        assert (await irene_browser.get("/panel")).status == 200  # Irene keeps using hers
        clock.advance(hours=1)  # Ana's: 12 hours idle
        await app.run_job(the_job(app))
        assert await stored(app) == (set(), {irene.id})
        assert (await irene_browser.get("/panel")).status == 200
        assert (await ana_browser.get("/panel")).status == 401


async def test_a_session_used_after_the_sweep_looked_stays(app, folk, clock):  # noqa: ANN001
    async with panel(app) as browser:
        await sign_in(browser, app, folk["ana.garcia"])
        clock.advance(hours=12)
        async with app.sessions() as session:
            items = await sweep.due(session, clock.now())
        assert [kind for kind, _hashes in items] == [sweep.LINKS, sweep.SESSIONS]  # the spent link, and hers
        clock.advance(seconds=1)
        async with app.sessions() as session, session.begin():  # touched meanwhile (as a page view would)
            row = (await session.exec(select(DashboardSession))).one()
            row.last_seen_at = clock.now()
            session.add(row)
        async with app.sessions() as session, session.begin():
            await sweep.run(Ctx(session=session, now=clock.now()), items[1])
        assert (await stored(app))[1] == {folk["ana.garcia"].id}


def test_the_worker_runs_the_sweep(clock):  # noqa: ANN001
    jobs = {job.id: job for job in build_scheduler(Pedir(None, Settings(), clock), dispatcher=None).get_jobs()}
    assert jobs["job:dashboard.sweep"].trigger.interval.total_seconds() == sweep.EVERY_SECONDS
