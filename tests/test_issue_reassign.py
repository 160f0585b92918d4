"""An issue changes hands (`/incidencia reasignar INC-1 @equipo [motivo]`) with its
trail kept; and an issue opened without `@equipo` is not silently its creator's
team's when its words point elsewhere: Pedir asks, on Slack too.

Runs on SQLite and PostgreSQL. Soporte (lead Javier, members Lucía and Carlos)
owns INC-1 for ACME; Elena is ACME's account manager; Ana is in RRHH.
Facturación (lead Marta, member Sara) works Mon–Thu 09–18 and Fri 08–15.
"""

from __future__ import annotations

import pytest

from bot.domains import REGISTRY
from bot.interaction import make
from bot.requests.states import DRAFT as REQUEST_DRAFT
from storage.models import Request, StatusUpdate
from tests.harness.issue_support import (
    ANA, CARLOS, ELENA, JAVIER, LUCIA, MARTA, SARA, action_ids, followers, issue, outbox, recipients, rows, snapshot, team,
)
from tests.harness.slack_env import ANA as ANA_SLACK
from tests.harness.slack_env import slack, unique  # noqa: F401
from tests.harness.slack_standin import fake_slack  # noqa: F401

TITLE = "Los albaranes no se sincronizan"


@pytest.fixture
async def inc1(app, folk) -> None:  # noqa: ANN001
    reply = await app.command(folk[LUCIA], "/incidencia", f"nueva #acme sev2 {TITLE}")
    assert reply.message.text.startswith("Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte).")


# ------------------------------------------------------------------ reassigning


async def test_reassign_hands_it_over_and_every_follower_hears_it(inc1, app, folk, sessions, clock):
    reply = await app.command(folk[LUCIA], "/incidencia", "reasignar INC-1 @facturacion es un fallo de facturas")
    assert not reply.refused
    # Lucía, Elena, Soporte and now Facturación follow it; Lucía wrote it: 3 chats.
    assert reply.message.text == "INC-1 pasa a Facturación; avisados 3 chats."
    stored = await issue(sessions)
    assert (stored.owner_team_id, stored.owner_id) == ((await team(sessions, "facturacion")).id, None)
    assert await followers(sessions) == {LUCIA, ELENA, "team:soporte", "team:facturacion"}
    [update] = await rows(sessions, StatusUpdate)
    assert (update.kind, update.author_id) == ("reassigned", folk[LUCIA].id)
    assert update.text == "Soporte → Facturación: es un fallo de facturas"
    # The next update is Facturación's to give, on its own SEV2 cadence (the default 4 business
    # hours; Soporte's is 2): Wednesday 14:00 in Madrid.
    assert stored.next_update_due == clock.now().replace(hour=13)
    # Every follower gets the change; each team's copy of the card, its own buttons.
    news = await outbox(sessions, key=f"status:{update.id}")
    assert sorted(await recipients(sessions, news)) == sorted([ELENA, "team:soporte", "team:facturacion"])
    assert news[0].payload["title"].endswith("cambio de equipo responsable")
    card_rows = await outbox(sessions, key="issue:1")
    cards = dict(zip(await recipients(sessions, card_rows), card_rows))  # the newest copy of each
    assert action_ids(cards["team:facturacion"]) == ["issue.post_status", "issue.close"]
    assert action_ids(cards["team:soporte"]) == []


async def test_the_trail_stays_in_the_history(inc1, app, folk):
    await app.command(folk[LUCIA], "/incidencia", "reasignar INC-1 @facturacion")
    view = await app.command(folk[ANA], "/incidencia", "ver INC-1")
    assert "reasignada: Soporte → Facturación (entendido: 0)" in view.message.text


async def test_the_new_owners_post_status_and_the_old_ones_no_longer_may(inc1, app, folk):
    await app.command(folk[ELENA], "/incidencia", "reassign INC-1 @facturacion")  # the account manager may too
    posted = await app.command(folk[SARA], "/estado", "INC-1 La factura rectificativa sale hoy")
    assert not posted.refused
    refused = await app.command(folk[CARLOS], "/estado", "INC-1 seguimos mirando")
    assert refused.refused and refused.message.text.startswith("Solo el equipo Facturación publica el estado de INC-1")
    # The new owners may pass it back, or on.
    back = await app.command(folk[MARTA], "/incidencia", "reasignar INC-1 soporte no era de facturas")
    assert back.message.text.startswith("INC-1 pasa a Soporte")


async def test_who_may_not_reassign_and_what_cannot_be_reassigned(inc1, app, folk, sessions):
    before = await snapshot(sessions)
    refused = await app.command(folk[ANA], "/incidencia", "reasignar INC-1 @facturacion")
    assert refused.message.text == "Solo el equipo Soporte y el gestor de cuenta pueden pasar INC-1 a otro equipo."
    same = await app.command(folk[JAVIER], "/incidencia", "reasignar INC-1 @soporte")
    assert same.message.text == "INC-1 ya es de Soporte."
    unknown = await app.command(folk[JAVIER], "/incidencia", "reasignar INC-1 @factura")
    assert unknown.message.text == "No encuentro el equipo «factura». ¿Quisiste decir @facturacion?"
    missing = await app.command(folk[JAVIER], "/incidencia", "reasignar INC-9 @facturacion")
    assert missing.message.text.startswith("No existe la incidencia INC-9.")
    assert await snapshot(sessions) == before
    await app.command(folk[JAVIER], "/incidencia", "cerrar INC-1 resuelto")
    closed = await app.command(folk[JAVIER], "/incidencia", "reasignar INC-1 @facturacion")
    assert closed.refused and closed.message.text.startswith("INC-1 está cerrada.")


# ------------------------------------------------------------------ on Slack: which team owns a new issue


async def test_on_slack_an_issue_whose_words_point_elsewhere_asks_and_the_button_opens_it(slack):  # noqa: F811
    answer = await slack.answer(ANA_SLACK, "nueva #acme sev1 la factura electrónica no se envía", command="/incidencia")
    assert answer["text"] == "¿Qué equipo lleva esta incidencia? Por lo que cuentas, puede ser:"
    [picks] = [block["elements"] for block in answer["blocks"] if block["type"] == "actions"]
    assert [button["text"]["text"] for button in picks] == ["@facturacion · Facturación", "@rrhh · RRHH"]
    hook = unique("pick-")
    status, _ = await slack.click(ANA_SLACK, picks[0]["action_id"], picks[0]["value"], hook=hook, is_ephemeral=True)
    assert status == 200
    await slack.settled()
    [opened] = slack.fake.responses_to(hook)
    assert opened["text"].startswith("Abierta INC-1 para ACME Logística S.L. (SEV1, Facturación).")
    stored = await issue(slack.sessions)
    assert stored.owner_team_id == (await team(slack.sessions, "facturacion")).id


async def test_a_new_issues_choice_and_a_new_requests_choice_are_not_interchangeable(app, folk, sessions):
    asked = await app.command(folk[ANA], "/incidencia", "nueva #acme sev1 la factura electrónica no se envía")
    draft_id = REGISTRY.context(asked.message.actions[0].id, asked.message.actions[0].value).id
    forged = await app.action(folk[ANA], "route.pick", make("route.pick", REQUEST_DRAFT, draft_id, "soporte"))
    assert forged.refused and forged.message.text.startswith("Esa elección ya no está disponible.")
    assert await rows(sessions, Request) == []

