"""The buttons and the text box of a pulse question."""

from __future__ import annotations

from bot.commands.registry import Button, Form
from bot.context import Caller, Ctx, check_text
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import Interaction, make
from bot.messages import Form as FormView
from bot.messages import FormField, Reply
from bot.pulses import answering, ballots, service
from bot.pulses.answering import Click
from bot.pulses.messaging import Reader, answered_message, closed_message
from bot.pulses.states import COMMENT, ROUND
from storage.models import PulseRound


async def answer(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """A score clicked: recorded, and the message becomes the answer with its receipt."""
    rnd, click = await service.require_round(ctx.session, int(i.id)), answering.read_click(i)
    if not answering.is_open(rnd, ctx):
        return await _closed(ctx, caller, rnd)
    answering.check_answer(rnd, click)
    assert click.score is not None
    return await _recorded(ctx, caller, rnd, click, click.score)


async def change(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """ "Cambiar 2": the question's buttons again, with the receipt."""
    rnd, click = await service.require_round(ctx.session, int(i.id)), answering.read_click(i)
    if not answering.is_open(rnd, ctx):
        return await _closed(ctx, caller, rnd)
    if click.receipt is None or click.question >= len(rnd.questions):
        raise UserError("interaction.invalid")
    asked = await answering.asked(ctx.session, rnd)
    given = await ballots.answers_of(ctx.session, rnd.id, click.receipt)
    message = answered_message(asked, _reader(caller), given, click.receipt, showing=click.question)
    return Reply(message=message, replace=True)


async def open_text(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """An open question or the comment: a small form."""
    rnd, click = await service.require_round(ctx.session, int(i.id)), answering.read_click(i)
    if not answering.is_open(rnd, ctx):
        return await _closed(ctx, caller, rnd)
    label = t(caller.locale, "pulse.comment") if click.question == COMMENT else \
        rnd.questions[click.question]["text"] if click.question < len(rnd.questions) else ""
    if not label:
        raise UserError("interaction.invalid")
    return Reply(form=FormView(
        id="pulse.write", title=t(caller.locale, "pulse.write.title"), submit_label=t(caller.locale, "action.send"),
        fields=[FormField(name="answer", label=label[:150], kind="long_text", required=True)],
        context=make("pulse.write", ROUND, rnd.id, i.arg)))


async def submit_text(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    rnd, click = await service.require_round(ctx.session, int(i.id)), answering.read_click(i)
    if not answering.is_open(rnd, ctx):
        return await _closed(ctx, caller, rnd)
    text = values.get("answer", "")
    if not text:
        return Reply(errors={"answer": t(caller.locale, "input.empty.answer")})
    text = check_text(text, field="answer")
    answering.check_answer(rnd, click, text)
    return await _recorded(ctx, caller, rnd, click, text)


async def _recorded(ctx: Ctx, caller: Caller, rnd: PulseRound, click: Click, value: int | str) -> Reply:
    asked = await answering.asked(ctx.session, rnd)
    receipt = await answering.record(ctx, caller.person, rnd, asked.pulse, click, value)
    given = await ballots.answers_of(ctx.session, rnd.id, receipt)
    return Reply(message=answered_message(asked, _reader(caller), given, receipt), replace=True)


async def _closed(ctx: Ctx, caller: Caller, rnd: PulseRound) -> Reply:
    asked = await answering.asked(ctx.session, rnd)
    return Reply(message=closed_message(asked, _reader(caller)), replace=True, refused=True)


def _reader(caller: Caller) -> Reader:
    return Reader(caller.locale, caller.timezone)


BUTTONS = (
    Button("pulse.answer", ROUND, answer),
    Button("pulse.change", ROUND, change),
    Button("pulse.write", ROUND, open_text),
)
FORMS = (Form("pulse.write", ROUND, submit_text),)
