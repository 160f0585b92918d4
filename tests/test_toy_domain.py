"""A new domain is a package plus one registration line: a toy domain, declared
here and nowhere else, is served on the console, Slack and Teams, and its job
runs in the worker (and on the console), without any change to a central module.

The registry a server or a console uses is the only thing that differs: in
production it is bot.domains.REGISTRY, here REGISTRY.with_domain(TOY).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

import aiohttp
import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import select

from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from adapters.slack.manifest import build_manifest
from adapters.teams.package import command_menu
from adapters.worker import build_scheduler
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.commands.grammar import ParseError
from bot.commands.registry import Button, Command, Domain, Form, Job, MenuEntry
from bot.config import Settings
from bot.context import Caller, Ctx
from bot.delivery.dispatcher import Dispatcher
from bot.domains import REGISTRY
from bot.i18n import t
from bot.interaction import Interaction, Subject, make
from bot.messages import Action, FormField, Message, Reply
from bot.messages import Form as FormMessage
from storage.models import ProcessedDelivery
from tests.harness.slack_env import ANA, start_env, unique
from tests.harness.slack_standin import fake_slack  # noqa: F401  (fixture)
from tests.harness.teams_env import ANA_T, TeamsEnv, fake_connector_running, prepare_database, start_server  # noqa: F401

# ------------------------------------------------------------------ the toy domain

TOY = Subject("toy", bad_id="toy.unknown")


@dataclass(frozen=True)
class Greet:
    name: str


def parse(text: str, _today: date, english: bool) -> Greet | ParseError:
    name = " ".join(text.split())
    return Greet(name) if name else ParseError("missing_argument", "toy" if english else "juguete")


async def greet(_ctx: Ctx, caller: Caller, cmd: Greet) -> Reply:
    poke = Action(id="toy.poke", label=t(caller.locale, "toy.poke"), value=make("toy.poke", TOY, 7))
    return Reply(message=Message(text=t(caller.locale, "toy.hello", name=cmd.name), actions=[poke]))


async def poke(_ctx: Ctx, caller: Caller, toy: Interaction) -> Reply:
    return Reply(form=FormMessage(
        id="toy.name", title=t(caller.locale, "toy.form"), submit_label="OK",
        fields=[FormField(name="nickname", label=t(caller.locale, "toy.nickname"), required=True)],
        context=make("toy.name", TOY, toy.id),
    ))


async def name_it(ctx: Ctx, caller: Caller, toy: Interaction, values: dict[str, str]) -> Reply:
    if not values.get("nickname"):
        return Reply(errors={"nickname": t(caller.locale, "toy.empty")})
    ctx.session.add(ProcessedDelivery(key=f"toy:{toy.id}:{values['nickname']}", created_at=ctx.now))
    return Reply.text(t(caller.locale, "toy.named", id=toy.id, nickname=values["nickname"]))


async def due(_session, _now: datetime) -> list[int]:  # noqa: ANN001
    return [1, 2, 3]


async def tick(ctx: Ctx, item: int) -> None:
    ctx.session.add(ProcessedDelivery(key=f"toy-job:{item}", created_at=ctx.now))
    if item == 2:
        raise RuntimeError("item 2 always fails")


TOY_DOMAIN = Domain(
    name="toy",
    commands=(Command(
        words=("juguete", "toy"), slash="/juguete", parse=parse, handle=greet,
        description="Un juguete para probar el registro", menu=(MenuEntry("juguete", "Un juguete"),),
        help={"es": "• /juguete NOMBRE — saluda", "en": "• /juguete NAME — says hello"},
    ),),
    buttons=(Button("toy.poke", TOY, poke),),
    forms=(Form("toy.name", TOY, name_it, reopen=poke),),
    jobs=(Job("toy.tick", due=due, run=tick, every_seconds=30),),
    catalog={
        "toy.hello": {"es": "Hola, {name}.", "en": "Hello, {name}."},
        "toy.poke": {"es": "Pínchame", "en": "Poke me"},
        "toy.form": {"es": "Ponle nombre", "en": "Name it"},
        "toy.nickname": {"es": "Apodo", "en": "Nickname"},
        "toy.empty": {"es": "Falta el apodo.", "en": "The nickname is missing."},
        "toy.named": {"es": "El juguete {id} se llama {nickname}.", "en": "Toy {id} is called {nickname}."},
        "toy.unknown": {"es": "No conozco ese juguete ({value}).", "en": "I don't know that toy ({value})."},
    },
)
WITH_TOY = REGISTRY.with_domain(TOY_DOMAIN)


async def toy_keys(sessions) -> list[str]:  # noqa: ANN001
    async with sessions() as session:
        keys = (await session.exec(select(ProcessedDelivery.key))).all()
    return sorted(key for key in keys if key.startswith("toy"))


# ------------------------------------------------------------------ what learns it


def test_the_platforms_learn_the_new_command_from_the_registry():
    assert "/juguete" in WITH_TOY.slash_commands() and "/juguete" not in REGISTRY.slash_commands()
    declared = [c["command"] for c in build_manifest(WITH_TOY)["features"]["slash_commands"]]
    assert declared[-1] == "/juguete"
    assert command_menu(WITH_TOY)[-1] == {"title": "juguete", "description": "Un juguete"}
    assert WITH_TOY.names_a_command("juguete Pepa") and WITH_TOY.parse_line("toy Pepa", date.today()) == Greet("Pepa")
    assert "• /juguete NOMBRE — saluda" in WITH_TOY.help_lines("es", besides="requests")


def test_a_second_declaration_of_a_word_button_or_job_is_refused():
    for clash in (
        Domain("again", commands=(Command(words=("pedir",), parse=parse, handle=greet),)),
        Domain("again", buttons=(Button("toy.poke", TOY, poke),)),
        Domain("again", jobs=(Job("toy.tick", due=due, run=tick, every_seconds=1),)),
    ):
        with pytest.raises(ValueError, match="declared twice"):
            WITH_TOY.with_domain(clash)


# ------------------------------------------------------------------ served on the console


async def test_served_on_the_console(folk, sessions, clock):  # noqa: ANN001
    pedir = Pedir(sessions, Settings(), ShiftedClock(clock), WITH_TOY)
    lines = iter(["/juguete Pepa", ":1", "", "Trasto", ":ayuda", "juguete", ":1", "Chisme"])
    out: list[str] = []

    def read(prompt: str) -> str | None:
        line = next(lines, None)
        out.append(f"{prompt}{line}")
        return line

    board = ActionBoard()
    session = ConsoleSession(pedir, Dispatcher(sessions, [], pedir.clock), pedir.clock, folk["ana.garcia"],
                             board, out.append, read)
    await session.run()
    text = "\n".join(out)
    assert "┃ Hola, Pepa.\n  ┗ [1] Pínchame" in text
    assert "← Ponle nombre" in text and "✗ Apodo: Falta el apodo." in text  # asked again, by its label
    assert "┃ El juguete 7 se llama Trasto." in text
    assert "/juguete" in text.split(":ayuda", 1)[1]  # the console's help lists it
    assert "Falta algo en «juguete»" in text  # its parse errors speak like everyone's
    # Its job ran too, once, when the console opened (item 2 always fails).
    assert await toy_keys(sessions) == ["toy-job:1", "toy-job:3", "toy:7:Chisme", "toy:7:Trasto"]


async def test_a_foreign_or_unknown_toy_button_is_answered_not_crashed(folk, sessions, clock):  # noqa: ANN001
    pedir = Pedir(sessions, Settings(), clock, WITH_TOY)
    reply = await pedir.action(folk["ana.garcia"], "toy.poke", "x")
    assert (reply.refused, reply.message.text) == (True, "No conozco ese juguete (x).")
    reply = await pedir.action(folk["ana.garcia"], "toy.poke", make("request.claim", TOY, 7))
    assert reply.refused and reply.message.text.startswith("No entiendo este botón")


# ------------------------------------------------------------------ run by the worker


async def test_the_worker_schedules_the_job_and_one_failing_item_spares_the_rest(folk, sessions, clock, caplog):  # noqa: ANN001
    pedir = Pedir(sessions, Settings(), clock, WITH_TOY)
    scheduler = build_scheduler(pedir, dispatcher=None)
    [job] = [job for job in scheduler.get_jobs() if job.id == "job:toy.tick"]
    assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval.total_seconds() == 30
    assert job.args == (TOY_DOMAIN.jobs[0],)
    with caplog.at_level(logging.ERROR, logger="bot.scheduling"):
        report = await job.func(*job.args)
    assert (report.done, report.failed) == (2, 1)
    assert await toy_keys(sessions) == ["toy-job:1", "toy-job:3"]  # item 2's own transaction rolled back
    [record] = caplog.records
    assert record.getMessage() == "job toy.tick failed on item 2" and record.exc_info is not None


def test_the_worker_also_delivers_when_there_is_somewhere_to_deliver(clock):  # noqa: ANN001
    pedir = Pedir(None, Settings(), clock, WITH_TOY)
    jobs = build_scheduler(pedir, Dispatcher(None, [], clock)).get_jobs()
    ids = [job.id for job in jobs]
    # Delivery first, then every domain's jobs (Pedir's own, then the toy's).
    assert ids[0] == "deliver" and ids[-1] == "job:toy.tick"
    assert sorted(ids[1:-1]) == sorted(f"job:{job.name}" for job in pedir.registry.jobs if job.name != "toy.tick")


# ------------------------------------------------------------------ served on Slack


@pytest.fixture
async def toy_slack(fake_slack, database_url):  # noqa: ANN001
    env, server = await start_env(fake_slack, database_url, WITH_TOY)
    yield env
    await env.http.close()
    await server.close()


async def test_served_on_slack(toy_slack):  # noqa: ANN001
    slack = toy_slack
    answer = await slack.answer(ANA, "Pepa", command="/juguete")
    assert answer["response_type"] == "ephemeral" and "Hola, Pepa." in str(answer["blocks"])
    [button] = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"].startswith("toy.poke")

    status, _ = await slack.click(ANA, button["action_id"], button["value"], trigger=unique("trig-"), hook="poke",
                                  is_ephemeral=True)
    assert status == 200
    view = await slack.modal()
    assert view["title"]["text"] == "Ponle nombre"
    status, body = await slack.submit(ANA, view, {"nickname": ""})
    assert status == 200 and json.loads(body)["errors"] == {"nickname": "Falta el apodo."}
    status, body = await slack.submit(ANA, view, {"nickname": "Trasto"})
    assert status == 200 and body == ""
    [dm] = await slack.fake.wait_for_calls("chat.postMessage")
    assert "El juguete 7 se llama Trasto." in dm.args["text"]
    assert await toy_keys(slack.sessions) == ["toy:7:Trasto"]


async def test_an_undeclared_button_of_the_domain_gets_an_answer_on_slack(toy_slack):  # noqa: ANN001
    status, _ = await toy_slack.click(ANA, "toy.gone:0", make("toy.gone", TOY, 7), hook="gone", is_ephemeral=True)
    assert status == 200
    await toy_slack.listeners_idle()
    [answer] = toy_slack.fake.responses_to("gone")
    assert "No conozco el comando «toy.gone»" in str(answer)


# ------------------------------------------------------------------ served on Teams


@pytest.fixture
async def toy_teams(fake_connector_running, database_url):  # noqa: ANN001
    await prepare_database(database_url)
    env = TeamsEnv(connector=fake_connector_running, url="", http=aiohttp.ClientSession(), database_url=database_url)
    await start_server(env, registry=WITH_TOY)
    yield env
    await env.http.close()
    for server in env.servers:
        await server.close()


def card(call) -> dict:  # noqa: ANN001
    [attachment] = call.json["attachments"]
    return attachment["content"]


async def test_served_on_teams(toy_teams):  # noqa: ANN001
    env = toy_teams

    async def sent(activity: dict) -> list:
        before = len(env.connector.calls_to("send"))
        status, _ = await env.post(activity)
        assert status in (200, 201)
        return env.connector.calls_to("send")[before:]

    [greeting] = await sent(env.personal(ANA_T, "juguete Pepa"))
    assert "Hola, Pepa." in json.dumps(card(greeting), ensure_ascii=False)
    [poke_button] = card(greeting)["actions"]
    assert poke_button["data"]["pedir_action"] == "toy.poke"

    [form] = await sent(env.click(ANA_T, poke_button["data"]))
    [submit] = card(form)["actions"]
    assert submit["data"]["pedir_form"] == "toy.name"
    [again] = await sent(env.click(ANA_T, {**submit["data"], "nickname": " "}))
    assert "Falta el apodo." in json.dumps(card(again), ensure_ascii=False)
    [done] = await sent(env.click(ANA_T, {**submit["data"], "nickname": "Trasto"}))
    assert "El juguete 7 se llama Trasto." in json.dumps(card(done), ensure_ascii=False)
    assert await toy_keys(env.sessions) == ["toy:7:Trasto"]
