"""/pulso responder P-3: the subject team's lead answers the latest results
("Lo que hemos oído y lo que vamos a cambiar"), and the whole audience hears it."""

from __future__ import annotations

from sqlmodel import col, select

from bot.commands.registry import Button, Form
from bot.context import Caller, Ctx, check_text
from bot.delivery.outbox import PERSON, enqueue
from bot.errors import UserError
from bot.i18n import format_day, t
from bot.interaction import Interaction, make
from bot.messages import Action, FormField, Message, Reply
from bot.messages import Form as FormView
from bot.pulses import access, answering, service
from bot.pulses.messaging import Reader, team_answer_message
from bot.pulses.states import CLOSED, PULSE, SENT, display_id
from storage.models import Person, PulseParticipation, PulseRound

FORM = "pulse.respond"


async def respond(ctx: Ctx, caller: Caller, pulse_id: int, text: str | None) -> Reply:
    rnd = await _answerable(ctx, caller, pulse_id)
    if text is None:
        return Reply(form=_form(caller.locale, pulse_id))
    return await _send(ctx, caller, rnd, check_text(text, field="answer"))


async def open_form(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    await _answerable(ctx, caller, int(i.id))
    return Reply(form=_form(caller.locale, int(i.id)))


async def submit(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    rnd = await _answerable(ctx, caller, int(i.id))
    if not values.get("answer"):
        return Reply(errors={"answer": t(caller.locale, "input.empty.answer")})
    return await _send(ctx, caller, rnd, check_text(values["answer"], field="answer"))


def respond_action(locale: str, pulse_id: int) -> Action:
    """The button on a results message that opens the answer form."""
    return Action(id=FORM, label=t(locale, "pulse.respond.button"), style="primary", value=make(FORM, PULSE, pulse_id))


async def _answerable(ctx: Ctx, caller: Caller, pulse_id: int) -> PulseRound:
    """The latest closed round, if the caller leads the team and it has not been answered yet."""
    pulse = await service.require(ctx.session, pulse_id)
    await access.require_subject_lead(ctx.session, caller.person, pulse)
    rnd = (await ctx.session.exec(
        select(PulseRound).where(PulseRound.pulse_id == pulse_id, PulseRound.state == CLOSED)
        .order_by(col(PulseRound.number).desc()).limit(1))).first()
    if rnd is None:
        raise UserError("pulse.respond.nothing_closed", ref=display_id(pulse_id))
    if rnd.team_answer:
        raise UserError("pulse.respond.already", ref=display_id(pulse_id),
                        when=format_day(rnd.team_answer_at.date(), caller.locale) if rnd.team_answer_at else "")
    return rnd


async def _send(ctx: Ctx, caller: Caller, rnd: PulseRound, text: str) -> Reply:
    """Stores the answer (the next round's question shows it) and tells everyone who was asked."""
    rnd.team_answer, rnd.team_answer_by_id, rnd.team_answer_at = text, caller.person.id, ctx.now
    ctx.session.add(rnd)
    asked = await answering.asked(ctx.session, rnd)
    audience = (await ctx.session.exec(
        select(Person).join(PulseParticipation, col(PulseParticipation.person_id) == Person.id)
        .where(PulseParticipation.round_id == rnd.id, PulseParticipation.state == SENT)
    )).all()
    for person in audience:
        reader = Reader(person.locale or ctx.default_locale, person.timezone or ctx.timezone)
        enqueue(ctx.session, recipient_kind=PERSON, recipient_id=person.id, now=ctx.now,
                message=team_answer_message(asked, reader, text))
    return Reply(message=Message(text=t(caller.locale, "pulse.respond.sent", count=len(audience),
                                        ref=display_id(asked.pulse.id))))


def _form(locale: str, pulse_id: int) -> FormView:
    return FormView(id=FORM, title=t(locale, "pulse.respond.title", ref=display_id(pulse_id)),
                    submit_label=t(locale, "action.send"),
                    fields=[FormField(name="answer", label=t(locale, "pulse.respond.field"), kind="long_text",
                                      required=True)],
                    context=make(FORM, PULSE, pulse_id))


BUTTONS = (Button(FORM, PULSE, open_form),)
FORMS = (Form(FORM, PULSE, submit),)
