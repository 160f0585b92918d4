"""10,000 random texts through POST /slack/events, as signed slash commands to
every command Pedir declares, from the demo people and from strangers: no
5xx, and every one answered (in the ack's body, through its response_url, or
with a form opened on its trigger).

The texts come from a seeded generator (PEDIR_FAULTS_SEED repeats a run):
each mixes the words the commands know (subcommands, @teams, #customers,
PED-/INC-/P- references, priorities, dates) with noise (any Unicode, control
characters, Slack's own markup, huge numbers, long runs). The server is the
real aiohttp application on loopback (tests/harness/slack_env.py). The
figures are printed (pytest -s shows them)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter

import aiohttp
import pytest

from bot.domains import REGISTRY
from tests.harness import slack_wire as wire
from tests.harness.slack_env import PROFILES, SECRET, slack, unique  # noqa: F401  (slack: fixture)
from tests.harness.slack_standin import fake_slack  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.faults

TEXTS = 10_000
CLIENTS = 6
SEED = int(os.environ.get("PEDIR_FAULTS_SEED", "15"))
STRANGERS = [f"W{n:08d}" for n in range(40)]  # Slack users Pedir has never met (users.info fails for them)
WORDS = [
    "nuevo", "new", "ver", "show", "mis", "mine", "cola", "queue", "cancelar", "cancel", "ayuda", "help", "panel",
    "estado", "resolver", "reabrir", "asignar", "comentar", "cerrar", "resultados", "responder", "lista", "idioma",
    "en", "es", "sev1", "sev2", "sev4", "sev9", "@facturacion", "@sistemas", "@soporte", "@factura", "@", "@@",
    "#ACME", "#acme", "#", "#GLOBEX", "PED-1", "PED-0", "PED-99999999999999999999", "INC-1", "INC-", "P-1", "P-",
    "!alta", "!urgente", "!baja", "!", "para:viernes", "para:2026-02-30", "para:mañana", "para:", "0 10 * * 1",
    "1", "5", "0", "-1", "11", "٣", "１", "9" * 400, "<!channel>", "<@U012AB3CD>", "<#C04FACTURA|facturacion>",
    "<https://example.com|x>", "*negrita*", "`code`", "```", "&amp;", "&lt;", "\n", "\t", "\r\n", "\u200b", "\u202e",
    "\x00", "\x07", "🙂", "👩‍💻", "ÑANDÚ", "ǅ", "İ", "ß", "﷽", "'; DROP TABLE request; --", "%s", "{0}", "{{x}}",
]


def random_text(rng: random.Random) -> str:
    """A command's text: a few known words and noise, sometimes long, sometimes empty."""
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.10:  # pure noise from anywhere in Unicode (no surrogates: Slack sends UTF-8)
        return "".join(chr(rng.choice((rng.randrange(32, 0x2FF), rng.randrange(0x300, 0xD7FF),
                                       rng.randrange(0xE000, 0x10FFFF)))) for _ in range(rng.randrange(1, 80)))
    if roll < 0.13:  # long: up to Slack's own limit on a command's text
        return rng.choice(WORDS) + " " + "".join(rng.choice("ab cdñé🙂\n") for _ in range(rng.randrange(500, 4000)))
    parts = [rng.choice(WORDS) for _ in range(rng.randrange(1, 8))]
    if rng.random() < 0.3:
        parts.insert(rng.randrange(len(parts) + 1), "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(1, 20))))
    return rng.choice((" ", "  ", "\n", "")).join(parts)


async def test_ten_thousand_random_texts_to_every_command_are_each_answered_without_a_5xx(backend, slack):  # noqa: ANN001, F811
    rng = random.Random(SEED)
    commands = REGISTRY.slash_commands()
    for n, user in enumerate(STRANGERS):
        if n % 2:
            slack.fake.add_user(user, email=f"extrano{n}@example.com", real_name=f"Extraño {n}", locale="en-US")
        # the others are unknown to Slack too: users.info answers user_not_found
    people = list(PROFILES) + STRANGERS
    cases = [(rng.choice(commands), rng.choice(people), random_text(rng)) for _ in range(TEXTS)]
    results: list[tuple[int, str, str, str, float]] = []  # (status, body, hook, trigger, seconds)
    queue = iter(cases)

    async def client(http: aiohttp.ClientSession) -> None:
        for command, user, text in queue:
            hook, trigger = unique("rnd-"), unique("trig-rnd-")
            body = wire.slash_command_body(command=command, text=text, user_id=user, trigger_id=trigger,
                                           response_url=slack.fake.response_url(hook))
            started = time.monotonic()
            status, answer, _ = await wire.post_signed(http, slack.url, SECRET, body)
            results.append((status, answer, hook, trigger, time.monotonic() - started))

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    took = time.monotonic() - started
    await slack.listeners_idle(timeout=60)

    opened = {call.args.get("trigger_id") for call in slack.fake.calls_to("views.open")}
    hooked = {call.method.removeprefix("hooks/") for call in slack.fake.response_calls}

    def answered(body: str, hook: str, trigger: str) -> bool:
        if hook in hooked or trigger in opened:
            return True
        try:
            return bool(json.loads(body).get("text"))
        except (ValueError, AttributeError):
            return False

    statuses = Counter(status for status, *_ in results)
    unanswered = [(status, body[:200]) for status, body, hook, trigger, _ in results if not answered(body, hook, trigger)]
    slowest = max(seconds for *_, seconds in results)
    print(f"\n[faults] {TEXTS} random texts to {len(commands)} commands, {backend} (seed {SEED}): statuses {dict(statuses)}; "
          f"unanswered {len(unanswered)}; {TEXTS / took:.0f} commands/s over {CLIENTS} clients; slowest ack {slowest:.2f} s; "
          f"{len(opened)} forms opened, {len(hooked)} answers through response_url")
    assert len(results) == TEXTS
    assert statuses == {200: TEXTS}, statuses
    assert unanswered == [], unanswered[:10]
