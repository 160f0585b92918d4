"""One visibility rule in every view that shows a request (bot.requests.visibility).

Builds requests between teams of the demo organisation, then walks every view
with every kind of reader and asserts exactly which PED ids, and which texts,
its rendered output holds: the neutral message, its Slack blocks and its Teams
card. A new view is one line in VIEWS. Runs on SQLite and PostgreSQL.

Readers: Lucía (Soporte) asks; Sara is in Facturación and Legal, the teams
that serve her; Irene (Sistemas) has nothing to do with them; Pablo leads
Irene's team; Raquel leads RRHH; Elena is Globex's account manager; Álvaro
leads Legal, which passed PED-5 on to Facturación.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from adapters.slack.blocks import message_blocks
from adapters.teams.cards import message_card
from bot.app import Pedir
from bot.messages import Message, Reply
from storage.models import Person

LUCIA, SARA, IRENE, PABLO, RAQUEL, ELENA, ALVARO = (
    "lucia.hernandez", "sara.ruiz", "irene.vazquez", "pablo.jimenez", "raquel.dominguez", "elena.torres",
    "alvaro.ramos")
TEAMS = ("soporte", "facturacion", "ventas", "rrhh", "sistemas", "legal")
# Who is in the teams these requests reach (examples/demo-org.toml).
MEMBERS = {
    "facturacion": {"marta.lopez", SARA},
    "legal": {ALVARO, SARA},
    "rrhh": {RAQUEL, "ana.garcia"},
    "sistemas": {PABLO, IRENE},
}


@dataclass(frozen=True)
class Req:
    id: int
    requester: str
    team: str  # where it is now
    words: str  # unique words of its description, looked for in every output
    customer: str | None = None
    open: bool = True


REQUESTS = (
    Req(1, LUCIA, "facturacion", "harto de esperar el abono", customer="globex"),
    Req(2, LUCIA, "facturacion", "IVA de la factura 88", customer="globex", open=False),
    Req(3, IRENE, "rrhh", "certificado para la hipoteca"),
    Req(4, "ana.garcia", "sistemas", "portátil para la incorporación"),
    Req(5, LUCIA, "facturacion", "cláusula de penalización", customer="globex"),  # asked of Legal first
)

# The rule, written out: who may read which request, and why.
SEES = {
    LUCIA: {1, 2, 5},  # she asked for them
    SARA: {1, 2, 5},  # Facturación has them
    IRENE: {3, 4},  # she asked for PED-3; PED-4 is with her team
    PABLO: {4},  # his team's; leading Irene does not open her requests
    RAQUEL: {3},  # RRHH's queue; being HR does not open anyone else's
    ELENA: {1, 2, 5},  # tagged #globex, whose account she manages
    ALVARO: set(),  # Legal passed PED-5 on: it is no longer theirs
}


@pytest.fixture
async def requests(app, folk) -> None:  # noqa: ANN001
    async def ask(who: str, text: str) -> None:
        reply = await app.command(folk[who], "/pedir", text)
        assert reply.message.text.startswith("Creado PED-"), reply.message.text

    await ask(LUCIA, "@facturacion #globex está harto de esperar el abono de la caída del martes")
    await ask(LUCIA, "@facturacion revisar el IVA de la factura 88 de #globex")
    await ask(IRENE, "@rrhh necesito un certificado para la hipoteca")
    await ask("ana.garcia", "@sistemas un portátil para la incorporación del lunes")
    await ask(LUCIA, "@legal revisar la cláusula de penalización de #globex")
    assert not (await app.command(folk[SARA], "/pedir", "resolver PED-2 Corregida")).refused
    assert not (await app.command(folk[ALVARO], "/pedir", "reasignar PED-5 @facturacion Es de facturación")).refused


# ---------------------------------------------------------------- the views


Render = Callable[[Pedir, Person], Awaitable[list[Reply]]]


def command(word: str, *texts: str) -> Render:
    async def render(app: Pedir, who: Person) -> list[Reply]:
        return [await app.command(who, word, text) for text in texts]
    return render


async def home(app: Pedir, who: Person) -> list[Reply]:
    return [Reply(message=await app.home(who))]


def member(who: str, r: Req) -> bool:
    return who in MEMBERS.get(r.team, set())


@dataclass(frozen=True)
class View:
    name: str
    render: Render
    # Which requests it lists for a reader who may read them all.
    lists: Callable[[str, Req], bool]


VIEWS = (
    View("ver", command("/pedir", *(f"ver PED-{r.id}" for r in REQUESTS)), lambda who, r: True),
    View("mis", command("/pedir", "mis"), lambda who, r: r.open and r.requester == who),
    View("cola", command("/pedir", *(f"cola @{slug}" for slug in TEAMS)), lambda who, r: r.open and member(who, r)),
    View("home", home, lambda who, r: r.open and (r.requester == who or member(who, r))),
    View("cliente", command("/cliente", "globex"), lambda who, r: r.customer == "globex"),
    View("clientes", command("/clientes", ""), lambda who, r: False),
    View("equipo", command("/equipo", *TEAMS), lambda who, r: False),
)


def flat(message: Message) -> str:
    """Everything a message says, as the domain wrote it and as Slack and Teams render it."""
    parts = [message.title or "", message.text, message.context or ""]
    parts += [f"{fact.label}: {fact.value}" for fact in message.fields]
    parts += [f"{action.label} {action.value}" for action in message.actions]
    parts.append(json.dumps(message_blocks(message), ensure_ascii=False))
    parts.append(json.dumps(message_card(message), ensure_ascii=False))
    return "\n".join(parts)


def ids(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"PED-(\d+)", text)}


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
@pytest.mark.parametrize("who", list(SEES))
async def test_every_view_shows_a_reader_exactly_the_requests_they_may_read(requests, app, folk, view, who):
    replies = await view.render(app, folk[who])
    shown = "\n".join(flat(reply.message) for reply in replies if reply.message and not reply.refused)
    everything = "\n".join(flat(reply.message) for reply in replies if reply.message)
    expected = {r.id for r in REQUESTS if view.lists(who, r) and r.id in SEES[who]}
    assert ids(shown) == expected
    # Not a word of the others, not even in a refusal.
    assert {r.id for r in REQUESTS if r.words in everything} == expected


# ---------------------------------------------------------------- the customer view


async def test_an_outsider_sees_no_request_text_in_the_customer_view(requests, app, folk):
    """The regression: /pedir ver refused Irene, while /cliente globex showed her PED-1's text."""
    refused = await app.command(folk[IRENE], "/pedir", "ver PED-1")
    assert refused.refused
    assert refused.message.text == "Solo el solicitante y el equipo Facturación participan en PED-1."

    reply = await app.command(folk[IRENE], "/cliente", "globex")
    assert not reply.refused
    fields = {fact.label: fact.value for fact in reply.message.fields}
    assert fields["Pedidos abiertos y de los últimos 30 días (3)"] == (
        "3 pedidos en los que no participas: no se muestran.")
    # The risk PED-1 raised is there, but not the words that raised it, nor where.
    assert fields["Riesgo"].startswith("⚠ enfado, en un pedido en el que no participas (")
    assert "PED-" not in flat(reply.message) and "harto" not in flat(reply.message)


async def test_a_reader_who_may_open_some_sees_those_and_a_count(requests, app, folk):
    await app.command(folk[IRENE], "/pedir", "@facturacion duplicado en la factura 90 de #globex")  # PED-6
    fields = {f.label: f.value for f in (await app.command(folk[IRENE], "/cliente", "globex")).message.fields}
    lines = fields["Pedidos abiertos y de los últimos 30 días (4)"].splitlines()
    assert lines[0].startswith("PED-6 · Facturación · Nuevo")
    assert lines[2:] == ["3 pedidos en los que no participas: no se muestran."]


async def test_the_count_and_the_risk_speak_the_readers_language(requests, app, folk):
    james = folk["james.whitaker"]  # English; sells, but not to Globex
    fields = {f.label: f.value for f in (await app.command(james, "/cliente", "globex")).message.fields}
    assert fields["Open and last-30-day requests (3)"] == "3 requests you are not part of: not shown."
    assert fields["Risk"].startswith("⚠ anger, in a request you are not part of (")


async def test_the_database_filters_before_the_list_is_cut(requests, app, folk):
    """Irene's one Globex request still shows under twenty newer ones she may not open:
    a filter after loading twenty rows would have dropped it."""
    await app.command(folk[IRENE], "/pedir", "@facturacion duplicado en la factura 90 de #globex")  # PED-6
    for n in range(20):
        await app.command(folk[LUCIA], "/pedir", f"@facturacion factura {100 + n} de #globex")
    fields = {f.label: f.value for f in (await app.command(folk[IRENE], "/cliente", "globex")).message.fields}
    value = fields["Pedidos abiertos y de los últimos 30 días (24)"]
    assert ids(value) == {6}
    assert value.endswith("23 pedidos en los que no participas: no se muestran.")
