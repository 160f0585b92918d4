"""The new-pulse form (`/pulso nuevo`): what it asks, and what submitting it does.

A Slack modal, an Adaptive Card or console prompts, field by field. Every
wrong field comes back under its field and the form stays open; nothing is
stored until every field is right.
"""

from __future__ import annotations

from datetime import timedelta

from bot.commands.registry import Form as FormDeclaration
from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import NOTHING, Interaction, make
from bot.messages import Form, FormField, Reply
from bot.pulses import access, reading, recurrence, setup
from bot.pulses import spec as s
from bot.pulses.spec import SpecErrors
from bot.pulses.states import DEFAULT_MIN_ANSWERS, DEFAULT_WINDOW_DAYS, KINDS, SCALE, display_id
from bot.teams import service as teams
from storage.models import Team

NEW = "pulse.new"
MAX_TEAM_CHOICES = 99  # Slack's select holds 100 options; "general" is one of them


def new_pulse(locale: str, all_teams: list[Team], tomorrow: str) -> Form:
    def label(name: str) -> str:
        return t(locale, f"pulse.setup.field.{name}")

    kinds = [(kind, t(locale, f"pulse.setup.kind.{kind}")) for kind in KINDS]
    fields: list[FormField] = []
    for n, (kind_field, text_field) in enumerate(s.QUESTIONS, 1):
        first = n == 1
        fields += [
            FormField(name=text_field, label=t(locale, "pulse.setup.field.question", n=n), kind="long_text",
                      required=first),
            FormField(name=kind_field, label=t(locale, "pulse.setup.field.kind", n=n), kind="choice",
                      required=first, choices=kinds, initial=SCALE),
        ]
    yes_no = [(s.YES, t(locale, "pulse.setup.choice.yes")), (s.NO, t(locale, "pulse.setup.choice.no"))]
    fields.append(FormField(name=s.COMMENT, label=label("comment"), kind="choice", choices=yes_no, initial=s.YES))
    fields.append(_subject_field(locale, all_teams))
    fields += [
        FormField(name=s.AUDIENCE, label=label("audience"), required=True),
        FormField(name=s.SCHEDULE, label=label("schedule"), kind="choice", required=True, initial=recurrence.ONCE,
                  choices=[(kind, t(locale, f"pulse.setup.schedule.{kind}")) for kind in recurrence.KINDS]),
        FormField(name=s.START, label=label("start"), kind="date", required=True, initial=tomorrow),
        FormField(name=s.TIME, label=label("time"), initial=s.DEFAULT_TIME.strftime("%H:%M")),
        FormField(name=s.CRON_FIELD, label=label("cron")),
        FormField(name=s.WINDOW, label=label("window"), initial=str(DEFAULT_WINDOW_DAYS)),
        FormField(name=s.REMINDER, label=label("reminder"), initial=str(DEFAULT_WINDOW_DAYS - 1)),
        # Anonymous unless the creator picks the option that says answers carry names.
        FormField(name=s.ANONYMOUS, label=label("anonymous"), kind="choice", required=True, initial=s.YES,
                  choices=[(s.YES, t(locale, "pulse.setup.choice.anonymous")),
                           (s.NAMED, t(locale, "pulse.setup.choice.named"))]),
        FormField(name=s.MIN_ANSWERS_FIELD, label=label("min_answers"), initial=str(DEFAULT_MIN_ANSWERS)),
    ]
    return Form(id=NEW, title=t(locale, "pulse.setup.form.title"), submit_label=t(locale, "pulse.setup.form.submit"),
                fields=fields, context=make(NEW, NOTHING))


def _subject_field(locale: str, all_teams: list[Team]) -> FormField:
    label = t(locale, "pulse.setup.field.subject")
    if len(all_teams) > MAX_TEAM_CHOICES:  # too many for a select: typed, found like @equipo
        return FormField(name=s.SUBJECT, label=label, initial=s.GENERAL)
    choices = [(s.GENERAL, t(locale, "pulse.setup.general"))] + [(team.slug, team.name) for team in all_teams]
    return FormField(name=s.SUBJECT, label=label, kind="choice", choices=choices, initial=s.GENERAL)


async def open_form(ctx: Ctx, caller: Caller, _i: Interaction | None = None) -> Reply:
    """Refused before it opens for anyone but HR: what they typed would be lost."""
    access.require_hr(caller.person)
    tomorrow = (caller.today(ctx.now) + timedelta(days=1)).isoformat()
    return Reply(form=new_pulse(caller.locale, await teams.all_teams(ctx.session), tomorrow))


async def submit(ctx: Ctx, caller: Caller, _i: Interaction, values: dict[str, str]) -> Reply:
    loc = caller.locale
    access.require_hr(caller.person)
    try:
        spec = s.from_values(values, now=ctx.now, tz=caller.timezone)
        pulse = await setup.create(ctx, caller.person, spec, caller.timezone)
    except SpecErrors as wrong:
        problems = wrong.problems
        if not problems.keys() & {s.SUBJECT, s.AUDIENCE}:  # the names too, so every error shows at once
            problems = {**problems, **(await _name_problems(ctx, values))}
        return Reply(errors={field: t(loc, error.key, **error.values) for field, error in problems.items()})
    heading = t(loc, "pulse.setup.created", ref=display_id(pulse.id))
    if not pulse.anonymous:
        heading += "\n" + t(loc, "pulse.setup.created_named")
    return Reply(message=await reading.card(ctx, caller, pulse, heading=heading))


async def _name_problems(ctx: Ctx, values: dict[str, str]) -> dict[str, UserError]:
    try:
        wanted = s.read_audience(values.get(s.AUDIENCE, ""))
    except UserError:
        wanted = None  # already reported
    problems, _subject, _stored = await setup.find_names(ctx, s.read_subject(values.get(s.SUBJECT, "")), wanted)
    return problems


FORMS = (FormDeclaration(NEW, NOTHING, submit, reopen=open_form),)
