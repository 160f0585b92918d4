"""Answering a pulse at the console (`pedir chat`), end to end: the question
arrives in each person's chat as the jobs run, a button is pressed with
':N', the reply takes the question's place with the receipt on its buttons,
the comment is a small form asked line by line, and ':espera' moves the
console's clock to the reminder and past the closing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.console.channel import ConsoleChannel
from adapters.console.render import ActionBoard
from adapters.console.session import ConsoleSession
from bot.app import Pedir
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.delivery.dispatcher import Dispatcher
from bot.pulses.states import COMMENT
from storage.models import PulseAnswer, PulseRound
from tests.pulse_support import RAQUEL, make_hr, open_round
from tests.pulse_wire_support import assert_receipt_kept_only_as_a_hash, ballot_answers, receipt_in

AUDIENCE = ("ana.garcia", "sara.ruiz", "irene.vazquez")
DM = "→ DM {name} <{email}@example.com>"
Step = str | Callable[[list[str]], str]
PROMPT = re.compile(r"^[\w.]+> ")


def button_line(out: list[str], after: int) -> str:
    """The row of buttons of the message printed right after line `after` ("" if it has none)."""
    for line in out[after + 1:]:
        if line.startswith("  ┗ "):
            return line
        if not line.startswith("  ┃"):
            return ""
    return ""


def numbers(row: str) -> dict[str, int]:
    """'  ┗ [3] 1  [4] 2' -> {'1': 3, '2': 4}: what ':N' presses which button."""
    return {label.strip(): int(n) for n, label in re.findall(r"\[(\d+)\] (.+?)(?=  \[|$)", row.removeprefix("  ┗ "))}


def press_in_dm(name: str, email: str, label: str) -> Step:
    """':N' for the button `label` on the question delivered to this person's chat."""
    def step(out: list[str]) -> str:
        header = next(i for i, line in enumerate(out) if line.startswith(DM.format(name=name, email=email)))
        return f":{numbers(button_line(out, header))[label]}"
    return step


def press_in_last_reply(label: str, who: str = "ana.garcia") -> Step:
    """':N' for the button `label` on the latest reply to `who` that has it."""
    def step(out: list[str]) -> str:
        prompts = [i for i, line in enumerate(out) if PROMPT.match(line)]
        reply = max(i for i, line in enumerate(out)
                    if line == "← respuesta / reply" and label in numbers(button_line(out, i))
                    and out[max(p for p in prompts if p < i)].startswith(f"{who}> "))
        return f":{numbers(button_line(out, reply))[label]}"
    return step


def script(steps: list[Step], out: list[str]) -> Callable[[str], str | None]:
    """Types each step at the prompt, echoed as the console's script reader does."""
    pending = iter(steps)

    def read(prompt: str) -> str | None:
        step = next(pending, None)
        if step is None:
            return None
        line = step(out) if callable(step) else step
        out.append(f"{prompt}{line}")
        return line

    return read


def after(out: list[str], typed: str) -> str:
    """What the console printed after the line typed last that starts with `typed`, up to the next prompt."""
    start = max(i for i, line in enumerate(out) if PROMPT.match(line) and line.split("> ", 1)[1].startswith(typed))
    end = next((i for i in range(start + 1, len(out)) if PROMPT.match(out[i])), len(out))
    return "\n".join(out[start + 1:end])


def after_press(out: list[str], label: str, nth: int = 0) -> str:
    """What the `nth` press of a button labelled `label` printed, up to the next prompt."""
    start = [i for i, line in enumerate(out) if line == f"  (pulsa / presses «{label}»)"][nth]
    end = next((i for i in range(start + 1, len(out)) if PROMPT.match(out[i])), len(out))
    return "\n".join(out[start + 1:end])


@pytest.fixture
async def console(app, folk):  # noqa: ANN001
    """A console over the test's database, its clock a shift of the test's."""
    clock = ShiftedClock(app.clock)
    return Pedir(app.sessions, Settings(), clock), clock


async def test_a_person_answers_at_the_console_and_espera_brings_the_reminder_and_the_closing(console, folk):  # noqa: ANN001
    pedir, clock = console
    start = clock.now()
    hr = await make_hr(pedir, folk[RAQUEL])
    rnd = await open_round(pedir, hr, [folk[name] for name in AUDIENCE])
    out: list[str] = []
    board = ActionBoard()
    dispatcher = Dispatcher(pedir.sessions, [ConsoleChannel(out.append, board)], clock)
    steps: list[Step] = [
        press_in_dm("Ana García Ruiz", "ana.garcia", "4"),
        press_in_dm("Ana García Ruiz", "ana.garcia", "1"),  # the original question again
        press_in_last_reply("Cambiar 1"),
        press_in_last_reply("2"),
        press_in_last_reply("Comentario"),
        "Gracias por todo",
        ":como sara.ruiz@example.com",
        press_in_dm("Sara Ruiz Moreno", "sara.ruiz", "5"),
        ":espera 2d",
        ":como ana.garcia@example.com",
        ":espera 1d",
        press_in_last_reply("Cambiar 1"),
        ":espera 5m",
    ]
    session = ConsoleSession(pedir, dispatcher, clock, folk["ana.garcia"], board, out.append, script(steps, out))
    assert await session.run() is False  # the script ran to its end
    transcript = "\n".join(out)
    print(transcript)  # shown when an assertion fails

    # On start-up the jobs ran: the question reached each person's chat, with a button per score.
    for name in AUDIENCE:
        header = next(i for i, line in enumerate(out) if line.startswith(DM.format(name=folk[name].name, email=name)))
        assert list(numbers(button_line(out, header))) == ["1", "2", "3", "4", "5"]
    ana_dm = next(i for i, line in enumerate(out) if line.startswith("→ DM Ana García Ruiz <ana.garcia@example.com>"))
    assert out[ana_dm + 1] == "  ┃ Pulso P-1 · sobre Sistemas"
    assert list(numbers(button_line(out, ana_dm))) == ["1", "2", "3", "4", "5"]

    # ':N' on "4": the reply is the answer, with buttons that carry the receipt.
    first = out.index("  (pulsa / presses «4»)") + 1
    assert out[first] == "← respuesta / reply" and "✓ Tu respuesta: 4" in after_press(out, "4")
    assert list(numbers(button_line(out, first))) == ["Cambiar 1", "Comentario"]
    change = board.get(numbers(button_line(out, first))["Cambiar 1"])
    receipt = receipt_in(change.id, change.value)
    assert receipt
    # The original "1": refused, nothing changed.
    refused = after_press(out, "1")
    assert "Ya has respondido a este pulso" in refused and "┗" not in refused

    # "Cambiar 1", "2", then the comment: a small form, asked at the prompt.
    changing = after_press(out, "Cambiar 1")
    assert "✓ Tu respuesta: 4" in changing and "Ahora la pregunta 1:" in changing
    changed = after_press(out, "2")
    assert "✓ Tu respuesta: 2" in changed and "¡Gracias!" in changed
    commented = after_press(out, "Comentario")
    assert "✓ Tu respuesta: 2" in commented and "Tu comentario: Gracias por todo" in commented
    form = out.index("  Tu comentario (opcional, anónimo como el resto)*: Gracias por todo")
    assert out[form - 1] == "← Tu respuesta"  # the form's title, then its one field

    # ':espera 2d': the reminder reaches only those who have not answered.
    waited = after(out, ":espera 2d")
    assert "(ahora es / it is now vie 27 nov, 10:00)" in waited
    reminded = [line for line in waited.split("\n") if line.startswith("→ DM ")]
    assert len(reminded) == 1 and "irene.vazquez@example.com" in reminded[0]
    assert "Recordatorio: aún no has respondido a este pulso" in waited

    # ':espera 1d': the window has closed (the round itself closes a grace minute later: nothing yet).
    assert "→ DM" not in after(out, ":espera 1d")
    # Ana's button says so, in place of the message, with no buttons.
    closed = after_press(out, "Cambiar 1", -1)
    assert "Este pulso ya está cerrado y no admite respuestas" in closed and "┗" not in closed

    # ':espera 5m': past the grace minute the round closes; its creator and the team's lead hear it.
    closing = after(out, ":espera 5m")
    told = {line.split(" <")[1].split(">")[0] for line in closing.split("\n") if line.startswith("→ DM ")}
    assert told == {"raquel.dominguez@example.com", "pablo.jimenez@example.com"}
    async with pedir.sessions() as db:
        assert (await db.get(PulseRound, rnd.id)).state == "closed"
        given = sorted((a.question, a.score, a.text) for a in (await db.exec(select(PulseAnswer))).all())
    assert given == [(0, 2, None), (0, 5, None), (COMMENT, None, "Gracias por todo")]
    assert await ballot_answers(pedir) == []
    assert clock.now() - start == timedelta(days=3, minutes=5)
    await assert_receipt_kept_only_as_a_hash(pedir, receipt)
