"""Customer issues through the façade: who follows, who hears each status, who may act.

Runs on SQLite and PostgreSQL. Soporte (lead Javier, members Lucía and Carlos) owns
the issues; Elena is ACME's account manager (in Ventas); Ana is in RRHH and has
nothing to do with ACME. The clock is Wednesday 2026-11-25, 10:00 in Madrid.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from storage.models import Issue, IssueFollower, Person, StatusAck, StatusUpdate
from tests.harness.issue_support import (
    ANA, CARLOS, ELENA, JAMES, JAVIER, LUCIA, PABLO, action_ids, count, customer, followers, homes,
    issue, last_outbox_id, outbox, recipients, rows, snapshot, team,
)
from tests.harness.support import RecordingChannel

TITLE = "La API de pedidos devuelve errores 500"


@pytest.fixture
async def inc1(app, folk) -> None:  # noqa: ANN001
    """INC-1: Lucía (Soporte) opens a SEV2 issue for ACME."""
    reply = await app.command(folk[LUCIA], "/incidencia", f"nueva #acme sev2 {TITLE}")
    assert not reply.refused, reply.message.text
    assert reply.message.text.startswith("Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte).")


async def post(app, folk, who: str, text: str, issue_id: int = 1):  # noqa: ANN001, ANN201
    return await app.command(folk[who], "/estado", f"INC-{issue_id} {text}")


# ---------------------------------------------------------------- opening


async def test_open_issue_stores_it_and_its_three_followers(inc1, sessions, folk, clock):
    stored = await issue(sessions)
    acme, soporte = await customer(sessions, "acme"), await team(sessions, "soporte")
    assert (stored.customer_id, stored.owner_team_id, stored.severity, stored.state) == (acme.id, soporte.id, "sev2", "open")
    assert stored.title == TITLE
    assert stored.created_by_id == folk[LUCIA].id
    assert stored.owner_id == folk[LUCIA].id  # she is in the owner team
    assert stored.created_at == clock.now() and stored.closed_at is None
    assert await followers(sessions) == {LUCIA, ELENA, "team:soporte"}
    # Each follower gets the issue card; only the owner team's copy carries the buttons.
    cards = await outbox(sessions, key="issue:1")
    assert sorted(await recipients(sessions, cards)) == sorted([LUCIA, ELENA, "team:soporte"])
    for row, who in zip(cards, await recipients(sessions, cards)):
        assert row.payload["title"] == f"INC-1 · ACME Logística S.L. · SEV2 — {TITLE}"
        assert action_ids(row) == (["issue.post_status", "issue.close"] if who == "team:soporte" else [])
    assert await count(sessions, StatusUpdate) == 0
    # Home pages of everyone following, in person or through Soporte.
    assert await homes(sessions) >= {folk[p].id for p in (LUCIA, ELENA, JAVIER, CARLOS)}


async def test_default_severity_is_sev3_and_the_reply_says_so(app, folk, sessions):
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acme no cargan los informes")
    assert (await issue(sessions)).severity == "sev3"
    assert "(SEV3, Soporte)" in reply.message.text
    assert "Severidad SEV3 por defecto; cámbiala con /incidencia severidad INC-1 sev1." in reply.message.text
    explicit = await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev3 otra cosa")
    assert "por defecto" not in explicit.message.text


async def test_creator_outside_the_owner_team_follows_but_does_not_own(app, folk, sessions):
    reply = await app.command(folk[ANA], "/incidencia", "nueva #acme sev2 @soporte la web no carga")
    assert not reply.refused
    stored = await issue(sessions)
    assert stored.owner_team_id == (await team(sessions, "soporte")).id
    assert stored.owner_id is None
    assert await followers(sessions) == {ANA, ELENA, "team:soporte"}
    assert "La siguen: Ana García Ruiz, Elena Torres Castillo, Soporte." in reply.message.text


async def test_account_manager_opening_is_one_follower_not_two(app, folk, sessions):
    await app.command(folk[ELENA], "/incidencia", "nueva #acme sev2 @soporte no llegan los avisos")
    assert await followers(sessions) == {ELENA, "team:soporte"}
    assert await count(sessions, IssueFollower) == 2


async def test_without_a_team_the_creators_own_team_owns_it_when_the_words_point_nowhere_else(app, folk, sessions):
    reply = await app.command(folk[ANA], "/incidencia", "nueva #globex sev4 duda sobre la nómina de su consultor")
    assert reply.message.text.startswith("Abierta INC-1 para Globex")  # "nómina" is RRHH's own word
    stored = await issue(sessions)
    assert stored.owner_team_id == (await team(sessions, "rrhh")).id
    assert stored.owner_id == folk[ANA].id


async def test_without_a_team_words_that_point_elsewhere_ask_which_team_owns_it(app, folk, sessions):
    # An SEV1 about invoices typed by someone in RRHH is not RRHH's to own.
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/incidencia", "nueva #acme sev1 la factura electrónica no se envía")
    assert not reply.refused
    assert reply.message.text == "¿Qué equipo lleva esta incidencia? Por lo que cuentas, puede ser:"
    assert [a.label for a in reply.message.actions] == ["@facturacion · Facturación", "@rrhh · RRHH"]
    assert await snapshot(sessions) == before  # nothing but the draft until a team is chosen
    [facturacion, _rrhh] = reply.message.actions
    opened = await app.action(folk[ANA], facturacion.id, facturacion.value)
    assert opened.message.text.startswith("Abierta INC-1 para ACME Logística S.L. (SEV1, Facturación).")
    stored = await issue(sessions)
    assert (stored.owner_team_id, stored.owner_id, stored.severity) == ((await team(sessions, "facturacion")).id, None, "sev1")
    assert stored.title == "la factura electrónica no se envía"
    assert await followers(sessions) == {ANA, ELENA, "team:facturacion"}
    again = await app.action(folk[ANA], facturacion.id, facturacion.value)  # the draft is used up
    assert again.refused and await count(sessions, Issue) == 1


async def test_someone_in_no_team_is_asked_which_team_owns_it(app, sessions, folk):
    async with sessions() as session, session.begin():
        session.add(Person(email="nadie@example.com", name="Nadie Suelto"))
    loner = (await rows(sessions, Person, Person.email == "nadie@example.com"))[0]
    reply = await app.command(loner, "/incidencia", "nueva #acme sev2 no va nada")
    assert reply.message.text.startswith("¿Qué equipo lleva esta incidencia? Elige uno")
    assert len(reply.message.actions) == 6  # nothing in the title points anywhere: every team
    soporte = next(a for a in reply.message.actions if a.label.startswith("@soporte"))
    assert (await app.action(folk[ANA], soporte.id, soporte.value)).refused  # the choice is the creator's
    assert not (await app.action(loner, soporte.id, soporte.value)).refused
    assert (await issue(sessions)).owner_id is None
    assert await followers(sessions) == {"nadie", ELENA, "team:soporte"}
    reply = await app.command(loner, "/incidencia", "nueva #acme sev2 @soporte otra cosa")
    assert reply.message.text.startswith("Abierta INC-2")  # a named team is never asked about


async def test_unknown_customer_suggests_the_near_one_and_stores_nothing(app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acmee sev2 caída")
    assert reply.refused
    assert reply.message.text == "No conozco el cliente «acmee». ¿Quisiste decir #acme?"
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #zzqx sev2 caída")
    assert reply.refused
    assert reply.message.text == (
        "No conozco el cliente «zzqx». Dalo de alta con /cliente nuevo #zzqx Nombre completo."
    )
    assert await snapshot(sessions) == before


async def test_customer_alias_and_case_find_the_customer(app, folk, sessions):
    await app.command(folk[LUCIA], "/incidencia", "nueva #ACME-Logistica sev2 lento")
    assert (await issue(sessions)).customer_id == (await customer(sessions, "acme")).id


async def test_unknown_team_is_refused(app, folk, sessions):
    reply = await app.command(folk[LUCIA], "/incidencia", "nueva #acme sev2 @nadie caída")
    assert reply.refused
    assert await count(sessions, Issue) == 0


# ---------------------------------------------------------------- /estado fan-out


async def test_status_reaches_every_follower_but_its_author(inc1, app, folk, sessions, clock):
    await app.command(folk[ANA], "/incidencia", "seguir INC-1")
    await app.command(folk[LUCIA], "/incidencia", "añadir INC-1 @ventas")
    clock.advance(minutes=30)
    mark = await last_outbox_id(sessions)
    reply = await post(app, folk, LUCIA, "Hemos encontrado la causa; desplegamos a las 12.")
    assert reply.message.text == "Estado publicado en INC-1: enviado a 4 chats. Te aviso de quién lo confirma."

    [update] = await rows(sessions, StatusUpdate)
    assert (update.issue_id, update.author_id, update.kind) == (1, folk[LUCIA].id, "status")
    assert update.text == "Hemos encontrado la causa; desplegamos a las 12."
    assert update.created_at == clock.now()

    news = await outbox(sessions, after=mark, key=f"status:{update.id}")
    assert sorted(await recipients(sessions, news)) == sorted([ANA, ELENA, "team:soporte", "team:ventas"])
    for row in news:
        assert row.payload["title"] == "INC-1 · ACME Logística S.L.: nuevo estado"
        assert row.payload["text"] == f"*{TITLE}*\nHemos encontrado la causa; desplegamos a las 12."
        assert action_ids(row) == ["status.ack"]
        assert REGISTRY.context("status.ack", row.payload["actions"][0]["value"]).id == update.id
    cards = await outbox(sessions, after=mark, key="issue:1")
    assert sorted(await recipients(sessions, cards)) == sorted([LUCIA, ANA, ELENA, "team:soporte", "team:ventas"])
    assert all("Hemos encontrado la causa" in row.payload["text"] for row in cards)
    [receipt] = await outbox(sessions, after=mark, key=f"status:{update.id}:receipt")
    assert await recipients(sessions, [receipt]) == [LUCIA]
    assert receipt.payload["context"] == "Enviada a 4 chats · Nadie lo ha confirmado aún"
    # Nothing else: no stray messages to anyone.
    assert len(await outbox(sessions, after=mark)) == len(news) + len(cards) + 1

    stored = await issue(sessions)
    assert stored.last_status_at == clock.now() and stored.updated_at == clock.now()
    assert stored.version == 2


async def test_status_from_a_member_who_follows_only_through_the_team(inc1, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await post(app, folk, CARLOS, "Seguimos investigando.")
    assert "enviado a 3 chats" in reply.message.text
    news = await outbox(sessions, after=mark, prefix="status:")
    assert sorted(await recipients(sessions, [r for r in news if not r.card_key.endswith("receipt")])) == sorted(
        [LUCIA, ELENA, "team:soporte"])


async def test_status_can_be_posted_from_the_form(inc1, app, folk, sessions):
    reply = await app.action(folk[JAVIER], "issue.post_status", "1")
    assert reply.form is not None and reply.form.id == "issue.post_status"
    assert REGISTRY.context(reply.form.id, reply.form.context, form=True).id == 1
    empty = await app.submit(folk[JAVIER], "issue.post_status", "1", {"update": "  "})
    assert empty.errors == {"update": "Escribe qué ha cambiado."}
    assert await count(sessions, StatusUpdate) == 0
    done = await app.submit(folk[JAVIER], "issue.post_status", "1", {"update": "Parche en pruebas"})
    assert done.message.text.startswith("Estado publicado en INC-1")
    assert [u.text for u in await rows(sessions, StatusUpdate)] == ["Parche en pruebas"]


# ---------------------------------------------------------------- acknowledgements


@pytest.fixture
async def posted(inc1, app, folk) -> None:  # noqa: ANN001
    """Status 1 on INC-1, by Lucía; Ana follows and Ventas was added first."""
    await app.command(folk[ANA], "/incidencia", "seguir INC-1")
    await app.command(folk[LUCIA], "/incidencia", "añadir INC-1 @ventas")
    await post(app, folk, LUCIA, "Desplegado el parche.")


async def test_first_ack_is_recorded_and_refreshes_the_cards_that_show_it(posted, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await app.action(folk[ELENA], "status.ack", "1")
    assert not reply.refused
    assert reply.message.text == "Gracias: INC-1 confirmado."
    [ack] = await rows(sessions, StatusAck)
    assert (ack.status_update_id, ack.person_id) == (1, folk[ELENA].id)

    requeued = await outbox(sessions, after=mark)
    by_who = dict(zip(await recipients(sessions, requeued), requeued))
    assert set(by_who) == {ELENA, "team:soporte", "team:ventas", LUCIA}  # Ana's copy does not change
    mine = by_who[ELENA]
    assert mine.card_key == "status:1"
    assert action_ids(mine) == []
    assert "✓ Lo has confirmado" in mine.payload["context"]
    for channel in ("team:soporte", "team:ventas"):
        assert by_who[channel].card_key == "status:1"
        assert action_ids(by_who[channel]) == ["status.ack"]  # others in the channel still may
        assert "Entendido (1): Elena Torres Castillo" in by_who[channel].payload["context"]
    receipt = by_who[LUCIA]
    assert receipt.card_key == "status:1:receipt"
    assert receipt.payload["context"] == "Enviada a 4 chats · Entendido (1): Elena Torres Castillo"


async def test_duplicate_ack_says_already_and_changes_nothing(posted, app, folk, sessions):
    await app.action(folk[ELENA], "status.ack", "1")
    before = await snapshot(sessions)
    reply = await app.action(folk[ELENA], "status.ack", "1")
    assert not reply.refused
    assert reply.message.text == "Ya habías confirmado esta actualización de INC-1."
    assert await snapshot(sessions) == before


async def test_ack_from_a_team_channel_lists_everyone_and_queues_no_dm(posted, app, folk, sessions):
    await app.action(folk[ELENA], "status.ack", "1")
    mark = await last_outbox_id(sessions)
    await app.action(folk[CARLOS], "status.ack", "1")
    requeued = await outbox(sessions, after=mark)
    who = await recipients(sessions, requeued)
    assert sorted(who) == sorted(["team:soporte", "team:ventas", LUCIA])  # Carlos had no DM copy
    listed = "Entendido (2): Elena Torres Castillo, Carlos Navarro Romero"
    assert all(listed in row.payload["context"] for row in requeued)


async def test_ack_of_an_unknown_update_is_refused(posted, app, folk, sessions):
    before = await snapshot(sessions)
    for value in ("99", "0", "4294967296"):
        reply = await app.action(folk[ELENA], "status.ack", value)
        assert reply.refused, value
    for value in ("99", "abc"):
        assert (await app.action(folk[ELENA], "status.ack", value)).message.text == "Esa actualización ya no existe."
    assert await snapshot(sessions) == before


# ---------------------------------------------------------------- following and stakeholders


async def test_follow_and_unfollow(inc1, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await app.command(folk[ANA], "/incidencia", "seguir INC-1")
    assert reply.message.text == "Ahora sigues INC-1: recibirás cada actualización."
    assert ANA in await followers(sessions)
    [card] = await outbox(sessions, after=mark)
    assert (await recipients(sessions, [card]), card.card_key) == ([ANA], "issue:1")
    assert folk[ANA].id in await homes(sessions, after=mark)
    again = await app.command(folk[ANA], "/incidencia", "seguir INC-1")
    assert again.message.text == "Ya sigues INC-1."
    assert await count(sessions, IssueFollower, IssueFollower.issue_id == 1) == 4

    reply = await app.command(folk[ANA], "/incidencia", "dejar INC-1")
    assert reply.message.text == "Ya no sigues INC-1."
    assert ANA not in await followers(sessions)
    again = await app.command(folk[ANA], "/incidencia", "dejar de seguir INC-1")
    assert again.message.text == "No seguías INC-1 a título personal."


async def test_following_through_a_team_is_not_undone_by_unfollow(inc1, app, folk, sessions):
    reply = await app.command(folk[CARLOS], "/incidencia", "dejar INC-1")
    assert reply.message.text == "No seguías INC-1 a título personal."
    assert "team:soporte" in await followers(sessions)


async def test_follow_button_on_an_unknown_issue_is_refused(app, folk, sessions):
    reply = await app.action(folk[ANA], "issue.follow", "7")
    assert reply.refused
    assert reply.message.text.startswith("No existe la incidencia INC-7.")
    assert await count(sessions, IssueFollower) == 0


async def test_add_people_and_teams(inc1, app, folk, sessions):
    mark = await last_outbox_id(sessions)
    reply = await app.command(folk[ANA], "/incidencia", "añadir INC-1 @facturacion james.whitaker pablo.jimenez@example.com")
    assert reply.message.text == "Ahora siguen INC-1: James Whitaker, Pablo Jiménez Ortega, Facturación."
    assert await followers(sessions) == {LUCIA, ELENA, "team:soporte", "team:facturacion", JAMES, PABLO}
    queued = await outbox(sessions, after=mark)
    cards = [r for r in queued if r.card_key == "issue:1"]
    assert sorted(await recipients(sessions, cards)) == sorted([JAMES, PABLO, "team:facturacion"])
    notices = [r for r in queued if r.card_key is None]
    assert sorted(await recipients(sessions, notices)) == sorted([JAMES, PABLO])
    text = {who: r.payload["text"] for who, r in zip(await recipients(sessions, notices), notices)}
    assert text[PABLO].startswith("Ana García Ruiz te ha añadido a INC-1")
    assert text[JAMES].startswith("Ana García Ruiz added you to INC-1")  # James reads English
    # The team's card is not the owner team's: no buttons.
    assert all(action_ids(r) == [] for r in cards)
    again = await app.command(folk[ANA], "/incidencia", "añadir INC-1 james.whitaker")
    assert again.message.text == "Ya seguían INC-1."


async def test_unknown_stakeholder_adds_nobody(inc1, app, folk, sessions):
    before = await snapshot(sessions)
    reply = await app.command(folk[ANA], "/incidencia", "añadir INC-1 @facturacion nadie.existe")
    assert reply.refused
    assert reply.message.text.startswith("No encuentro a «nadie.existe»")
    assert await snapshot(sessions) == before


async def test_only_the_owner_team_or_account_manager_removes_others(inc1, app, folk, sessions):
    await app.command(folk[LUCIA], "/incidencia", "añadir INC-1 @facturacion james.whitaker ana.garcia")
    before = await snapshot(sessions)
    for target in ("james.whitaker", "@facturacion"):
        reply = await app.command(folk[ANA], "/incidencia", f"quitar INC-1 {target}")
        assert reply.refused
        assert reply.message.text.startswith("Solo el equipo Soporte y el gestor de cuenta deciden")
    assert await snapshot(sessions) == before
    # Anyone may remove themselves.
    reply = await app.command(folk[ANA], "/incidencia", "quitar INC-1 ana.garcia")
    assert reply.message.text == "Ya no siguen INC-1: Ana García Ruiz."
    # The account manager (not in Soporte) and a Soporte member may remove others.
    reply = await app.command(folk[ELENA], "/incidencia", "quitar INC-1 @facturacion")
    assert reply.message.text == "Ya no siguen INC-1: Facturación."
    reply = await app.command(folk[CARLOS], "/incidencia", "quitar INC-1 james.whitaker")
    assert reply.message.text == "Ya no siguen INC-1: James Whitaker."
    assert await followers(sessions) == {LUCIA, ELENA, "team:soporte"}
    reply = await app.command(folk[CARLOS], "/incidencia", "quitar INC-1 james.whitaker")
    assert reply.message.text == "No seguían INC-1."


async def test_the_owner_team_cannot_be_removed(inc1, app, folk, sessions):
    before = await snapshot(sessions)
    for who in (JAVIER, ELENA):
        reply = await app.command(folk[who], "/incidencia", "quitar INC-1 @soporte")
        assert reply.refused
        assert reply.message.text == "El equipo responsable sigue siempre INC-1."
    assert await snapshot(sessions) == before


async def test_one_chat_reads_in_the_singular(app, folk, sessions):
    # Zeta has no account manager: when Lucía, who opened it, posts, only Soporte's channel hears it.
    await app.command(folk[LUCIA], "/cliente", "nuevo #zeta Zeta Corp")
    await app.command(folk[LUCIA], "/incidencia", "nueva #zeta sev2 no sincroniza")
    reply = await post(app, folk, LUCIA, "Reiniciado el conector")
    assert reply.message.text == "Estado publicado en INC-1: enviado a 1 chat. Te aviso de quién lo confirma."
    [receipt] = await outbox(sessions, key="status:1:receipt")
    assert receipt.payload["context"] == "Enviada a 1 chat · Nadie lo ha confirmado aún"
    for text, answer in (("vigilar INC-1", "INC-1 pasa a vigilancia; avisado 1 chat."),
                         ("severidad INC-1 sev1", "Severidad de INC-1 cambiada; avisado 1 chat."),
                         ("cerrar INC-1", "INC-1 cerrada; avisado 1 chat."),
                         ("reabrir INC-1", "INC-1 reabierta; avisado 1 chat.")):
        assert (await app.command(folk[LUCIA], "/incidencia", text)).message.text == answer


async def test_delivered_ack_edits_the_cards_in_place(posted, app, folk, sessions, clock):
    channel = RecordingChannel()
    dispatcher = Dispatcher(sessions, [channel], clock)
    await dispatcher.drain()
    elena, lucia = "person:elena.torres@example.com", "person:lucia.hernandez@example.com"
    [first] = [c for c in channel.to(elena) if c.message.title == "INC-1 · ACME Logística S.L.: nuevo estado"]
    [receipt] = [c for c in channel.to(lucia) if c.message.title == "Tu actualización de INC-1"]
    assert first.kind == receipt.kind == "send"
    before = len(channel.calls)
    await app.action(folk[ELENA], "status.ack", "1")
    await dispatcher.drain()
    edits = {(c.address, c.external_id): c for c in channel.calls[before:]}
    assert all(c.kind == "update" for c in edits.values())  # nothing posted anew
    assert edits[(elena, first.external_id)].message.actions == []
    assert "Entendido (1): Elena Torres Castillo" in edits[(lucia, receipt.external_id)].message.context
    assert set(address for address, _ in edits) == {elena, lucia, "team:soporte", "team:ventas"}


async def test_acks_at_the_same_moment_all_show_on_the_latest_cards(posted, app, folk, sessions):
    # Each ack re-queues the channel copies and the receipt with the names it sees; the
    # newest version is the one delivered, so it must not miss an ack made alongside.
    for round_ in range(3):
        if round_:
            await post(app, folk, LUCIA, f"Actualización {round_}")
        status_id = round_ + 1
        people = [ELENA, ANA, CARLOS, JAVIER]
        replies = await asyncio.gather(*(app.action(folk[p], "status.ack", str(status_id)) for p in people))
        assert all(not r.refused for r in replies), [r.message.text for r in replies]
        assert await count(sessions, StatusAck, StatusAck.status_update_id == status_id) == 4
        for key, recipient in ((f"status:{status_id}", "team:soporte"), (f"status:{status_id}", "team:ventas"),
                               (f"status:{status_id}:receipt", LUCIA)):
            rows_ = await outbox(sessions, key=key)
            latest = [r for r, who in zip(rows_, await recipients(sessions, rows_)) if who == recipient][-1]
            assert "Entendido (4)" in latest.payload["context"], (key, recipient, latest.payload["context"])
