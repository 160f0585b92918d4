"""Help that matches what exists, and unknown words that are never requests.

- a word Pedir does not know, after a command and followed by an id or by
  nothing, is answered with the words that exist (and the nearest one), and
  nothing is stored;
- every refusal points to the help of the command typed (`/incidencia ayuda`
  for /estado), and every command answers `ayuda` one word away;
- every command any text names is one Slack declares (manifest.json), in both
  languages, and the help lists them all, in the console too.

Runs on SQLite and PostgreSQL where a database is involved.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from bot.i18n import CATALOG, t
from storage.models import Draft, Outbox, Request
from tests.harness.teams_env import ANA_T, fake_connector_running, teams  # noqa: F401

ANA, JAMES = "ana.garcia", "james.whitaker"
MANIFEST = json.loads((Path(__file__).resolve().parents[1] / "manifest.json").read_text(encoding="utf-8"))
DECLARED = {command["command"] for command in MANIFEST["features"]["slash_commands"]}
COMMAND_NAMED = re.compile(r"(?<![\w/])/([a-zñ]+)")  # "/pedir", not "1/5" nor "/slack/events"


async def stored(sessions) -> tuple[int, int, int]:  # noqa: ANN001
    async with sessions() as session:
        return tuple([(await session.exec(select(func.count()).select_from(model))).one()
                      for model in (Request, Draft, Outbox)])


# ------------------------------------------------------------------ unknown words


async def test_an_unknown_word_with_an_id_answers_the_words_that_exist(app, folk, sessions):
    before = await stored(sessions)
    reply = await app.command(folk[ANA], "/pedir", "cancelr PED-15")
    assert reply.refused
    assert reply.message.text == (
        "No conozco «cancelr». ¿Quisiste decir «cancelar»? Tras /pedir puedes escribir: @equipo qué necesitas, "
        "mis, cola, ver, cancelar, tomar, asignar, info, comentar, resolver, rechazar, reasignar, reabrir, "
        "valorar, idioma, panel, ayuda. Escribe /pedir ayuda para ver cómo se usan.")
    assert await stored(sessions) == before  # no request, and no draft asking for a team


async def test_an_unknown_word_alone_is_no_request_either(app, folk, sessions):
    before = await stored(sessions)
    for text, hint in (("idoma", "¿Quisiste decir «idioma»? "), ("portátil", ""), ("hola", "")):
        reply = await app.command(folk[ANA], "/pedir", text)
        assert reply.message.text.startswith(f"No conozco «{text}». {hint}Tras /pedir"), text
    assert await stored(sessions) == before


async def test_in_english_the_words_and_the_help_are_english(app, folk):
    reply = await app.command(folk[JAMES], "/pedir", "cancle PED-15")
    assert reply.message.text == (
        "I don't know “cancle”. Did you mean “cancel”? After /pedir you can write: @team what you need, mine, "
        "queue, view, cancel, claim, assign, ask, comment, resolve, reject, reassign, reopen, rate, language, panel, help. "
        "Type /pedir help to see how they work.")


async def test_an_unknown_issue_word_points_to_the_issue_help(app, folk):
    reply = await app.command(folk[ANA], "/incidencia", "cerar INC-1")
    assert reply.message.text == (
        "No conozco «cerar». ¿Quisiste decir «cerrar»? Tras /incidencia puedes escribir: nueva, ver, seguir, dejar, "
        "añadir, quitar, vigilar, cerrar, reabrir, severidad, reasignar, ayuda. Escribe /incidencia ayuda para ver "
        "cómo se usan.")
    reply = await app.command(folk[ANA], "/pulso", "resultado P-1")
    assert "¿Quisiste decir «resultados»?" in reply.message.text and "Escribe /pulso ayuda" in reply.message.text


async def test_a_line_that_names_no_command_lists_the_commands(app, folk):
    reply = await app.line(folk[ANA], "hola qué tal")
    assert reply.message.text == (
        "No conozco el comando «hola». Los comandos son: /pedir, /equipos, /equipo, /incidencia, /incidencias, "
        "/estado, /cliente, /pulso. Escribe /pedir ayuda para ver qué hace cada uno.")
    reply = await app.command(folk[JAMES], "/pedri", "mine")
    assert reply.message.text.startswith("I don't know the command “/pedri”. Did you mean “/pedir”? The commands are:")


async def test_a_command_word_typed_without_its_command_is_pointed_to_it(app, folk, sessions):
    reply = await app.line(folk[ANA], "cancelar PED-1")  # a Slack DM line
    assert reply.message.text.startswith(
        "No conozco el comando «cancelar». ¿Quisiste decir «/pedir cancelar»? Los comandos son: /pedir,")
    other = await app.line(folk[ANA], "seguir INC-1")  # only /incidencia knows "seguir"
    assert "¿Quisiste decir «/incidencia seguir»?" in other.message.text
    assert await stored(sessions) == (0, 0, 0)


# ------------------------------------------------------------------ help one word away


@pytest.mark.parametrize(
    ("command", "text", "missing"),
    [("/estado", "", "estado"), ("/incidencia", "cerrar", "cerrar"), ("/incidencia", "reasignar INC-1", "reasignar")],
)  # fmt: skip
async def test_issue_refusals_point_to_the_issue_help(app, folk, command, text, missing):
    reply = await app.command(folk[ANA], command, text)
    assert reply.message.text == f"Falta algo en «{missing}». Escribe /incidencia ayuda para ver cómo se usa."
    english = await app.command(folk[JAMES], command, text)
    assert english.message.text.endswith("Type /incidencia help to see how it works.")


async def test_request_refusals_show_the_request_command_that_would_work(app, folk):
    reply = await app.command(folk[ANA], "/pedir", "rechazar PED-1")
    assert reply.message.text == "Falta el motivo. Por ejemplo: /pedir rechazar PED-1 no es de nuestro equipo"


@pytest.mark.parametrize(
    ("command", "text", "key"),
    [("/estado", "ayuda", "help.issues"), ("/incidencias", "ayuda", "help.issues"), ("/cliente", "¿ayuda?", "help.issues"),
     ("/incidencia", "ayuda", "help.issues"), ("/pulso", "ayuda", "pulse.help"), ("/equipos", "ayuda", "help.text"),
     ("/equipo", "ayuda", "help.text"), ("/pedir", "ayuda", "help.text")],
)  # fmt: skip
async def test_every_command_answers_ayuda_with_the_help_that_covers_it(app, folk, command, text, key):
    reply = await app.command(folk[ANA], command, text)
    assert reply.message.text.startswith(t("es", key)), command
    english = await app.command(folk[JAMES], command, "help")
    assert english.message.text.startswith(t("en", key)), command


async def test_estado_ayuda_typed_on_teams_is_the_help_not_a_request(app, folk, sessions):
    reply = await app.line(folk[ANA], "estado ayuda")
    assert reply.message.text == t("es", "help.issues")
    assert await stored(sessions) == (0, 0, 0)


# ------------------------------------------------------------------ the help is what exists


def test_every_command_any_text_names_is_declared_on_slack():
    # "/request", "/teams" or "/status" would send an English speaker to a command Slack does not have.
    assert DECLARED == set(REGISTRY.slash_commands())
    named = {f"/{word}": key for key, entry in CATALOG.items() for text in entry.values()
             for word in COMMAND_NAMED.findall(text)}
    assert set(named) >= {"/pedir", "/equipos", "/incidencia", "/estado"}  # the scan reads them
    assert {command: key for command, key in named.items() if command not in DECLARED} == {}


async def test_pedir_ayuda_lists_every_command_and_every_word(app, folk):
    for who, locale in ((ANA, "es"), (JAMES, "en")):
        text = (await app.command(folk[who], "/pedir", "ayuda")).message.text
        assert {f"/{word}" for word in COMMAND_NAMED.findall(text)} == DECLARED, locale
        for word in REGISTRY.command("pedir").verbs[locale][1:]:
            assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (locale, word)


async def test_the_consoles_help_is_its_own_commands_then_every_command(folk, sessions, clock):
    pedir = Pedir(sessions, Settings(), ShiftedClock(clock))
    out: list[str] = []
    lines = iter([":ayuda"])

    def read(prompt: str) -> str | None:
        return next(lines, None)

    board = ActionBoard()
    await ConsoleSession(pedir, Dispatcher(sessions, [], pedir.clock), pedir.clock, folk[ANA], board,
                         out.append, read).run()
    text = "\n".join(out)
    assert ":espera 2h" in text and ":como EMAIL" in text
    assert "• /pedir cancelar PED-12 [motivo] — retira un pedido tuyo" in text
    assert "• /pedir idioma es|en" in text
    assert {f"/{word}" for word in COMMAND_NAMED.findall(text)} == DECLARED


# ------------------------------------------------------------------ on Teams


def sent_text(call) -> str:  # noqa: ANN001
    return str(call.json.get("attachments") or call.json.get("text"))


async def test_on_teams_a_bare_unknown_word_is_answered_not_made_a_request(teams):  # noqa: F811
    chat = f"a:personal-{ANA_T[0]}"
    status, _ = await teams.post(teams.personal(ANA_T, "cancelr PED-3"))
    assert status in (200, 201)
    [answer] = [c for c in teams.connector.calls_to("send") if c.conversation_id == chat]
    assert "No conozco «cancelr». ¿Quisiste decir «cancelar»?" in sent_text(answer)
    status, _ = await teams.post(teams.personal(ANA_T, "idioma en"))
    assert status in (200, 201)
    answers = [c for c in teams.connector.calls_to("send") if c.conversation_id == chat]
    assert "Done: from now on I write to you in English." in sent_text(answers[-1])
    async with teams.sessions() as session:
        assert (await session.exec(select(Request))).all() == [] and (await session.exec(select(Draft))).all() == []
