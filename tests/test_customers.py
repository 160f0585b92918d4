"""/cliente: one view of a customer across departments; the list; adding one.

Runs on SQLite and PostgreSQL. ACME (#acme, alias #acme-logistica, tier gold) is looked
after by Elena; Soporte owns issues; Facturación (Marta, Sara) takes requests.
The clock starts on Wednesday 2026-11-25, 10:00 in Madrid.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Pedir
from bot.config import Settings
from storage.models import Customer, Person, Request
from tests.harness.issue_support import (
    ANA, ELENA, LUCIA, MARTA, SARA, count, customer, field, plain, rows, snapshot,
)


async def request(app, folk, who: str, text: str) -> Request:  # noqa: ANN001
    reply = await app.command(folk[who], "/pedir", text)
    assert reply.message.text.startswith("Creado PED-"), reply.message.text
    ref = int(reply.message.text.split()[1].removeprefix("PED-").rstrip("."))
    return (await rows(app.sessions, Request, Request.id == ref))[0]


def refs(value: str) -> list[str]:
    """The PED-n / INC-n each line of a view's field starts with."""
    return [line.split(" · ")[0] for line in value.splitlines() if not line.startswith(" ")]


# ---------------------------------------------------------------- requests tagged with a customer


async def test_requests_are_linked_by_tag_alias_or_case(app, folk, sessions):
    acme = await customer(sessions, "acme")
    upper = await request(app, folk, ANA, "@facturacion abono para #ACME por el mes de octubre")
    alias = await request(app, folk, ANA, "@facturacion factura de #acme-logistica duplicada")
    mixed = await request(app, folk, ANA, "@facturacion datos fiscales de #Acme-Logistica")
    assert [r.customer_id for r in (upper, alias, mixed)] == [acme.id] * 3
    assert [r.customer for r in (upper, alias, mixed)] == ["ACME", "acme-logistica", "Acme-Logistica"]  # as typed


async def test_request_for_an_unknown_customer_is_still_created(app, folk, sessions):
    unknown = await request(app, folk, ANA, "@facturacion factura de #zeta")
    assert (unknown.customer, unknown.customer_id) == ("zeta", None)
    untagged = await request(app, folk, ANA, "@facturacion factura sin cliente")
    assert (untagged.customer, untagged.customer_id) == (None, None)


# ---------------------------------------------------------------- one view


@pytest.fixture
async def acme_history(app, folk, sessions, clock) -> None:  # noqa: ANN001
    """PED-1 closed 40 days ago, PED-2 closed 10 days ago, PED-3 open (alias tag),
    PED-4 another customer's, PED-5 open with a complaint; INC-1 open with a status."""
    now = clock.now()
    clock.set(now - timedelta(days=40))
    await request(app, folk, ANA, "@facturacion factura antigua de #acme")
    await app.command(folk[SARA], "/pedir", "resolver PED-1 hecho")
    clock.set(now - timedelta(days=10))
    await request(app, folk, ANA, "@facturacion abono de #ACME")
    await app.command(folk[MARTA], "/pedir", "resolver PED-2 abonado")
    clock.set(now)
    await request(app, folk, ANA, "@facturacion contrato de #acme-logistica")
    await request(app, folk, ANA, "@facturacion factura de #globex")
    await request(app, folk, ELENA, "@facturacion #acme está harto de los errores en las facturas")
    await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 Los albaranes no se sincronizan")
    clock.advance(minutes=30)
    await app.command(folk[LUCIA], "/estado", "INC-1 Reiniciado el conector")
    clock.advance(minutes=30)


async def test_customer_view_brings_everything_together(acme_history, app, folk, sessions):
    view = (await app.command(folk[ANA], "/cliente", "acme")).message
    assert view.title == "ACME Logística S.L. · #acme · gold"
    assert view.text.startswith("Nuestro mayor cliente")
    payload = view.model_dump()
    assert field(payload, "Gestor de cuenta") == "Elena Torres Castillo"

    issues = field(payload, "Incidencias abiertas (1)")
    assert refs(issues) == ["INC-1"]
    assert plain(issues).startswith(
        "INC-1 · ACME Logística S.L. · SEV2 · Abierta · abierta hace 1 h — Los albaranes no se sincronizan")
    assert "Último estado hace 30 min: Reiniciado el conector" in plain(issues)

    # Ana asked for PED-2 and PED-3; PED-5 is Elena's, so Ana reads neither it nor the words that flagged it.
    requests = field(payload, "Pedidos abiertos y de los últimos 30 días (3)")
    assert refs(requests) == ["PED-3", "PED-2", "1 pedido en el que no participas: no se muestra."]
    assert "Resuelto" in requests.splitlines()[2]  # not PED-1 (40 days), not PED-4 (Globex)
    assert "harto" not in str(payload)

    risk = field(payload, "Riesgo")
    assert risk.startswith("⚠ enfado, en un pedido en el que no participas (")
    assert risk.endswith("· pendiente")
    assert view.context == "⚠ En riesgo"


async def test_the_account_manager_reads_every_request_about_the_customer(acme_history, app, folk):
    payload = (await app.command(folk[ELENA], "/cliente", "acme")).message.model_dump()
    requests = field(payload, "Pedidos abiertos y de los últimos 30 días (3)")
    assert refs(requests) == ["PED-5", "PED-3", "PED-2"]  # not PED-1 (40 days), not PED-4 (Globex)
    risk = field(payload, "Riesgo")
    assert risk.startswith("⚠ enfado: «harto» (PED-5, ")


async def test_alias_name_and_case_find_the_same_view(acme_history, app, folk):
    titles = {(await app.command(folk[ANA], "/cliente", token)).message.title
              for token in ("ACME", "#acme-logistica", "ACME Logística S.L.", "acme logistica s.l.")}
    assert titles == {"ACME Logística S.L. · #acme · gold"}


async def test_a_quiet_customer(app, folk):
    view = (await app.command(folk[ANA], "/cliente", "initech")).message
    payload = view.model_dump()
    assert field(payload, "Gestor de cuenta") == "James Whitaker"
    assert field(payload, "Riesgo") == "Sin señales de riesgo en 30 días."
    assert field(payload, "Incidencias abiertas (0)") == "Ninguna."
    assert field(payload, "Pedidos abiertos y de los últimos 30 días (0)") == "Ninguno."
    assert view.context is None


async def test_dismissed_risk_no_longer_shows(acme_history, app, folk):
    await app.action(folk[ELENA], "risk.dismiss", "1")
    view = (await app.command(folk[ANA], "/cliente", "acme")).message
    assert field(view.model_dump(), "Riesgo") == "Sin señales de riesgo en 30 días."
    assert view.context is None


async def test_unknown_customer(app, folk, sessions):
    reply = await app.command(folk[ANA], "/cliente", "zeta")
    assert reply.refused
    assert reply.message.text == "No conozco el cliente «zeta». Dalo de alta con /cliente nuevo #zeta Nombre completo."
    near = await app.command(folk[ANA], "/cliente", "globx")
    assert near.refused and near.message.text == "No conozco el cliente «globx». ¿Quisiste decir #globex?"


# ---------------------------------------------------------------- the list


async def test_customer_list(acme_history, app, folk):
    reply = await app.command(folk[ANA], "/cliente", "")
    assert reply.message.title == "Clientes (3)"
    assert reply.message.text.splitlines() == [
        "#acme · ACME Logística S.L. · incidencias abiertas: 1 · ⚠ En riesgo",
        "#globex · Globex Ibérica S.A.",
        "#initech · Initech Ltd",
    ]
    assert (await app.command(folk[ANA], "/clientes", "")).message.title == "Clientes (3)"


async def test_customer_list_when_there_are_none(sessions, clock):  # noqa: ANN001
    async with sessions() as session, session.begin():
        session.add(Person(email="sola@example.com", name="Sola"))
    [alone] = await rows(sessions, Person)
    reply = await Pedir(sessions, Settings(), clock).command(alone, "/cliente", "")
    assert reply.message.text.startswith("Aún no hay clientes.")


# ---------------------------------------------------------------- adding one


async def test_new_customer(app, folk, sessions, clock):
    reply = await app.command(folk[ELENA], "/cliente", "nuevo #Zeta Zeta   Corp")
    assert not reply.refused
    assert reply.message.text.startswith("Cliente Zeta Corp (#zeta) dado de alta.")
    zeta = await customer(sessions, "zeta")
    assert (zeta.name, zeta.aliases, zeta.account_manager_id, zeta.created_at) == ("Zeta Corp", [], None, clock.now())
    tagged = await request(app, folk, ANA, "@facturacion primera factura de #zeta")
    assert tagged.customer_id == zeta.id
    view = (await app.command(folk[ANA], "/cliente", "zeta")).message
    assert refs(field(view.model_dump(), "Pedidos abiertos y de los últimos 30 días (1)")) == ["PED-1"]


async def test_new_customer_takes_in_requests_that_named_it_before(app, folk, sessions):
    early = await request(app, folk, ANA, "@facturacion factura de #Zeta")
    assert early.customer_id is None
    await app.command(folk[ELENA], "/cliente", "nuevo #zeta Zeta Corp")
    zeta = await customer(sessions, "zeta")
    assert (await rows(sessions, Request, Request.id == early.id))[0].customer_id == zeta.id
    view = (await app.command(folk[ANA], "/cliente", "zeta")).message
    assert refs(field(view.model_dump(), "Pedidos abiertos y de los últimos 30 días (1)")) == ["PED-1"]


async def test_a_tag_with_accents_and_enye_is_a_customer(app, folk, sessions):
    # Letters are letters: "#Ñoño" is stored as the folded "nono" and found either way.
    early = await request(app, folk, ANA, "@facturacion factura de #Ñoño")
    reply = await app.command(folk[ELENA], "/cliente", "nuevo #Ñoño")
    assert not reply.refused, reply.message.text
    assert reply.message.text.startswith("Cliente Ñoño (#nono) dado de alta.")
    nono = await customer(sessions, "nono")
    assert nono.name == "Ñoño"
    assert (await rows(sessions, Request, Request.id == early.id))[0].customer_id == nono.id
    assert (await request(app, folk, ANA, "@facturacion otra de #ñoño")).customer_id == nono.id
    assert (await app.command(folk[ANA], "/cliente", "#Ñoño")).message.title.startswith("Ñoño")


async def test_new_customer_without_a_name_uses_the_tag(app, folk, sessions):
    await app.command(folk[ELENA], "/cliente", "nuevo #zeta")
    assert (await customer(sessions, "zeta")).name == "zeta"


@pytest.mark.parametrize(("text", "answer"), [
    ("nuevo #acme Otra ACME", "Ese cliente ya existe: ACME Logística S.L. (#acme)."),
    ("nuevo #ACME Otra ACME", "Ese cliente ya existe: ACME Logística S.L. (#acme)."),
    ("nuevo #acme-logistica Otra", "Ese cliente ya existe: ACME Logística S.L. (#acme)."),
    ("nuevo #zeta.corp Zeta", "«zeta.corp» no vale como etiqueta de cliente: usa letras, números, «-» o «_», p. ej. #acme."),
])
async def test_new_customer_refusals(app, folk, sessions, text, answer):
    before = await snapshot(sessions)
    reply = await app.command(folk[ELENA], "/cliente", text)
    assert reply.refused
    assert reply.message.text == answer
    assert await snapshot(sessions) == before
    assert await count(sessions, Customer) == 3
