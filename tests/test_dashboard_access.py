"""Signing in to the dashboard: one-time links, sessions, sign-out, CSRF and the security headers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.dashboard import access
from storage.models import DashboardLink, DashboardSession
from tests.harness.dashboard import csrf_of, follow, link_for, panel, sign_in


async def test_no_link_no_page(app):  # noqa: ANN001
    async with panel(app) as client:
        for path in ("/panel", "/panel/clientes", "/panel/pulsos", "/panel/equipo/soporte",
                     "/panel/lista?equipo=soporte&que=open", "/panel/graficos/resumen.svg"):
            response = await client.get(path)
            assert response.status == 401, path
            assert "/pedir panel" in await response.text()


async def test_the_link_signs_in_once_and_only_its_hash_is_stored(app, folk):  # noqa: ANN001
    ana = folk["ana.garcia"]
    token = await link_for(app, ana)
    async with app.sessions() as session:
        links = (await session.exec(select(DashboardLink))).all()
    assert [link.token_hash for link in links] == [access.digest(token)]
    assert token not in {link.token_hash for link in links}
    async with panel(app) as client:
        response = await follow(client, token)
        assert response.status == 303 and response.headers["Location"] == "/panel"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/panel" in cookie
        assert "Secure" not in cookie  # plain http on loopback; PUBLIC_URL https:// turns it on
        page = await client.get("/panel")
        assert page.status == 200 and ana.name in await page.text()
    async with panel(app) as other:  # another browser, the same link
        again = await follow(other, token)
        assert again.status == 401
        assert (await other.get("/panel")).status == 401


async def test_an_expired_link_opens_nothing(app, folk, clock):  # noqa: ANN001
    token = await link_for(app, folk["ana.garcia"])
    clock.advance(minutes=15)
    async with panel(app) as client:
        assert (await follow(client, token)).status == 401
        assert (await client.get("/panel")).status == 401


async def test_a_made_up_or_absurd_token_is_refused(app):  # noqa: ANN001
    async with panel(app) as client:
        assert (await client.post("/panel/entrar", data={"t": "x" * 43})).status == 401
        assert (await client.post("/panel/entrar", data={"t": "x" * 5000})).status == 401
        assert (await client.get("/panel/entrar")).status == 401


async def test_the_link_base_is_public_url(app, folk):  # noqa: ANN001
    app.settings.public_url = "https://pedir.example.com/"
    reply = await app.command(folk["ana.garcia"], "pedir", "panel")
    assert "https://pedir.example.com/panel/entrar?t=" in reply.message.text
    async with panel(app) as client:
        token = reply.message.text.split("?t=")[1].split()[0]
        cookie = (await follow(client, token)).headers["Set-Cookie"]
        assert "Secure" in cookie


async def test_a_session_ends_after_twelve_idle_hours_not_while_used(app, folk, clock):  # noqa: ANN001
    async with panel(app) as client:
        await sign_in(client, app, folk["ana.garcia"])
        for _ in range(3):  # 33 hours of regular use
            clock.advance(hours=11)
            assert (await client.get("/panel")).status == 200
        clock.advance(hours=12)
        assert (await client.get("/panel")).status == 401


async def test_sign_out_needs_the_csrf_token_and_ends_the_session(app, folk):  # noqa: ANN001
    async with panel(app) as client:
        await sign_in(client, app, folk["ana.garcia"])
        csrf = csrf_of(await (await client.get("/panel")).text())
        assert (await client.post("/panel/salir", data={})).status == 403
        assert (await client.post("/panel/salir", data={"csrf": "forged"})).status == 403
        assert (await client.get("/panel")).status == 200
        assert (await client.post("/panel/salir", data={"csrf": csrf})).status == 200
        assert (await client.get("/panel")).status == 401
    async with app.sessions() as session:
        assert (await session.exec(select(DashboardSession))).all() == []


async def test_pages_forbid_inline_scripts_and_other_origins(app, folk):  # noqa: ANN001
    async with panel(app) as client:
        await sign_in(client, app, folk["javier.martin"])
        for path in ("/panel", "/panel/equipo/soporte", "/panel/clientes", "/panel/pulsos"):
            response = await client.get(path)
            assert response.status == 200, path
            policy = response.headers["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "script-src 'self'" in policy
            assert "unsafe-inline" not in policy and "*" not in policy
            assert "<script" not in await response.text()
        chart = await client.get("/panel/graficos/equipo/soporte.svg")
        assert chart.status == 200 and chart.content_type == "image/svg+xml"
        assert "script-src 'none'" in chart.headers["Content-Security-Policy"]
        assert "<svg" in await chart.text()
        refused = await client.get("/panel/nada")
        assert "Content-Security-Policy" in refused.headers


async def test_panel_answers_in_english_to_an_english_speaker(app, folk):  # noqa: ANN001
    reply = await app.command(folk["james.whitaker"], "request", "panel")
    assert reply.message.title == "Your dashboard link" and "expires in 15 minutes" in reply.message.text
