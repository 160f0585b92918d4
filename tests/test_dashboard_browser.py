"""The dashboard in a real browser: headless Chromium (Debian's package) driven by
Playwright against `pedir serve` on loopback with the demo organisation.

Screenshots go to test-artifacts/dashboard/ (PEDIR_TEST_ARTIFACTS overrides it)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.app import Pedir
from bot.clock import SystemClock
from bot.config import Settings
from storage.engine import create_engine, session_factory
from storage.models import Person
from tests.conftest import in_ci
from tests.harness.ports import free_port
from tests.test_serve_signals import serve, until_up

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("PEDIR_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "dashboard"
SCRIPT = "<script>alert(1)</script>"

playwright = pytest.importorskip("playwright.async_api")
# Outside CI a machine without chromium skips; CI installs it (.ci/run), so there it must run.
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None and not in_ci(),
                                reason="Debian's chromium is not installed (apt-get install chromium)")


async def person(pedir: Pedir, email: str) -> Person:
    async with pedir.sessions() as session:
        return (await session.exec(select(Person).where(Person.email == email))).one()


async def test_sign_in_read_the_figures_edit_the_card_and_stay_inert(tmp_path):  # noqa: ANN001
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    database = tmp_path / "browser.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(port), "PUBLIC_URL": base}
    subprocess.run([sys.executable, "-m", "adapters.cli", "org", "import", "examples/demo-org.toml"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    engine = create_engine(env["DATABASE_URL"])
    pedir = Pedir(session_factory(engine), Settings(DATABASE_URL=env["DATABASE_URL"], PUBLIC_URL=base), SystemClock())
    server = serve(env)
    try:
        async with aiohttp.ClientSession() as http:
            await until_up(http, base)
        ana, pablo = await person(pedir, "ana.garcia@example.com"), await person(pedir, "pablo.jimenez@example.com")
        lucia = await person(pedir, "lucia.hernandez@example.com")
        await pedir.command(ana, "pedir", f"@sistemas {SCRIPT} la VPN no conecta")
        await pedir.command(ana, "pedir", "@sistemas portátil nuevo para Irene")
        link = re.search(r"http\S+", (await pedir.command(pablo, "pedir", "panel")).message.text)[0]
        with sqlite3.connect(database) as db:
            [(open_sistemas,)] = db.execute("SELECT count(*) FROM request JOIN team ON team.id = request.team_id "
                                            "WHERE team.slug = 'sistemas' AND status IN ('new','in_progress','waiting_info')")
        async with playwright.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            refused = await page.goto(f"{base}/panel")
            assert refused.status == 401
            await page.goto(link)
            await page.click("#enter")
            await page.wait_for_url(f"{base}/panel")
            await page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)
            open_cell = page.locator('tr[data-team="sistemas"] td.num a').first
            assert await open_cell.inner_text() == str(open_sistemas) == "2"
            drawn = await page.eval_on_selector("img.chart", "img => img.complete && img.naturalWidth > 0")
            assert drawn
            await page.click('tr[data-team="sistemas"] a[href^="/panel/equipo/"]')
            await page.wait_for_url(re.compile(r".*/panel/equipo/sistemas.*"))
            assert await page.eval_on_selector("img.chart", "img => img.complete && img.naturalWidth > 0")
            assert SCRIPT in await page.inner_text("table.requests")  # shown as text...
            assert dialogs == []  # ...and never run
            await page.fill("#card-customer_needs", "Equipos que funcionan desde el primer día")
            await page.click("#save-card")
            await page.wait_for_url(re.compile(r".*/panel/equipo/sistemas$"))
            assert "Equipos que funcionan desde el primer día" in await page.input_value("#card-customer_needs")
            await page.screenshot(path=ARTIFACTS / "team.png", full_page=True)
            await pedir.command(lucia, "incidencia", f"nueva #acme sev2 {SCRIPT} los albaranes no llegan")
            await page.goto(f"{base}/panel/clientes")
            await page.screenshot(path=ARTIFACTS / "customers.png", full_page=True)
            await page.click('section[data-customer="acme"] .counts a[href$="#issues"]')  # a number, to its list
            await page.wait_for_url(re.compile(r".*/panel/clientes/acme#issues$"))
            assert await page.locator("table.issues tbody tr").count() == 1
            await page.click('table.issues a[href^="/panel/incidencias/"]')
            await page.wait_for_url(re.compile(r".*/panel/incidencias/\d+$"))
            assert SCRIPT in await page.inner_text("h1") and dialogs == []
            await page.screenshot(path=ARTIFACTS / "issue.png", full_page=True)
            await page.goto(f"{base}/panel/lista?equipo=sistemas&que=open")
            assert "alert(1)" in await page.inner_text("table.requests") and dialogs == []
            await page.click("header form button")
            assert (await page.goto(f"{base}/panel")).status == 401
            await browser.close()
        chat = await pedir.command(ana, "equipo", "@sistemas")
        assert any(f.value == "Equipos que funcionan desde el primer día" for f in chat.message.fields)
    finally:
        server.terminate()
        server.wait(30)
        await engine.dispose()
