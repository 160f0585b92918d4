"""A pulse read back in words: what it asks, whom, when, and how its rounds go.

Only counts of participation (how many answered out of how many were asked),
never what anyone answered: results are bot.pulses.results' alone, and only
once a round closes.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.context import Caller, Ctx
from bot.i18n import format_day, format_when, t
from bot.messages import Fact, Message
from bot.pulses import audience, recurrence, service
from bot.pulses.recurrence import Schedule
from bot.pulses.states import ACTIVE, display_id
from bot.text import shorten
from storage.models import Pulse, PulseParticipation, Team

ROUNDS_SHOWN = 10


async def subject_name(ctx: Ctx, pulse: Pulse, locale: str) -> str:
    team = await ctx.session.get(Team, pulse.subject_team_id) if pulse.subject_team_id else None
    return team.name if team else t(locale, "pulse.setup.general")


def questions_text(questions: list[dict], comment: bool, locale: str) -> str:
    lines = [f"{n}. {q['text']} ({t(locale, 'pulse.setup.kind.' + q['kind'])})" for n, q in enumerate(questions, 1)]
    if comment:
        lines.append(t(locale, "pulse.setup.with_comment"))
    return "\n".join(lines)


def schedule_text(pulse: Pulse, locale: str) -> str:
    return recurrence.describe(Schedule.from_json(pulse.schedule), locale)


def state_text(pulse: Pulse, locale: str) -> str:
    state = t(locale, f"pulse.setup.state.{pulse.state}")
    if pulse.state == ACTIVE and pulse.next_round_on is not None:
        return t(locale, "pulse.setup.state_next", state=state, day=format_day(pulse.next_round_on, locale))
    return state


async def audience_text(ctx: Ctx, pulse: Pulse, locale: str) -> str:
    everyone, teams, people = await audience.summary(ctx.session, pulse.audience)
    count = await audience.size(ctx.session, pulse.audience)
    names = t(locale, "pulse.setup.everyone") if everyone else ", ".join(teams + people)
    return t(locale, "pulse.setup.audience_count", names=names, count=count)


async def card(ctx: Ctx, caller: Caller, pulse: Pulse, *, heading: str | None = None) -> Message:
    """/pulso ver P-3: the pulse and its latest rounds."""
    loc = caller.locale
    reminder = (t(loc, "pulse.setup.reminder_after", days=pulse.remind_after_days) if pulse.remind_after_days
                else t(loc, "pulse.setup.no_reminder"))
    fields = [
        Fact(label=t(loc, "pulse.setup.label.questions"), value=questions_text(pulse.questions, pulse.comment, loc)),
        Fact(label=t(loc, "pulse.setup.label.subject"), value=await subject_name(ctx, pulse, loc)),
        Fact(label=t(loc, "pulse.setup.label.audience"), value=await audience_text(ctx, pulse, loc)),
        Fact(label=t(loc, "pulse.setup.label.schedule"), value=schedule_text(pulse, loc)),
        Fact(label=t(loc, "pulse.setup.label.window"), value=t(loc, "pulse.setup.window_days", days=pulse.window_days)),
        Fact(label=t(loc, "pulse.setup.label.reminder"), value=reminder),
        Fact(label=t(loc, "pulse.setup.label.anonymity"),
             value=t(loc, "pulse.setup.anonymous" if pulse.anonymous else "pulse.setup.named")),
        Fact(label=t(loc, "pulse.setup.label.threshold"), value=t(loc, "pulse.setup.threshold", n=pulse.min_answers)),
        Fact(label=t(loc, "pulse.setup.label.state"), value=state_text(pulse, loc)),
    ]
    if lines := await round_lines(ctx, caller, pulse):
        fields.append(Fact(label=t(loc, "pulse.setup.label.rounds"), value="\n".join(lines)))
    title = t(loc, "pulse.setup.card_title", ref=display_id(pulse.id), subject=await subject_name(ctx, pulse, loc))
    return Message(title=title, text=heading or shorten(pulse.questions[0]["text"], 200), fields=fields)


async def round_lines(ctx: Ctx, caller: Caller, pulse: Pulse) -> list[str]:
    loc = caller.locale
    rounds = await service.rounds(ctx.session, pulse.id, limit=ROUNDS_SHOWN)
    answered = await answered_counts(ctx, [r.id for r in rounds])
    return [t(loc, "pulse.setup.round_line", number=r.number, day=format_day(r.on_date, loc),
              state=t(loc, f"pulse.setup.round_state.{r.state}"),
              closes=format_when(r.closes_at, loc, caller.timezone) if r.closes_at else "—",
              answered=answered.get(r.id, 0), asked=r.audience_size)
            for r in rounds]


async def answered_counts(ctx: Ctx, round_ids: list[int]) -> dict[int, int]:
    """How many answered in each round: participations, never answers."""
    if not round_ids:
        return {}
    rows = await ctx.session.exec(
        select(PulseParticipation.round_id, func.count()).where(
            col(PulseParticipation.round_id).in_(round_ids), col(PulseParticipation.answered).is_(True))
        .group_by(PulseParticipation.round_id))
    return dict(rows.all())


async def list_line(ctx: Ctx, pulse: Pulse, locale: str) -> str:
    return t(locale, "pulse.setup.list_line", ref=display_id(pulse.id), subject=await subject_name(ctx, pulse, locale),
             when=schedule_text(pulse, locale), state=state_text(pulse, locale),
             question=shorten(pulse.questions[0]["text"], 60))

