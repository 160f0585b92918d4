"""A team's customer card: the guided template, who may edit it, and when it is stale.

Every team should be able to say who its customer is, what that customer
needs and how they use what the team delivers. The lead fills the card in
from five questions, on the dashboard's team page or with `/equipo editar`;
saving it is a review, and a card not reviewed for six months is flagged
(the overview, the team's daily digest).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Caller, Ctx
from bot.errors import UserError
from bot.i18n import format_day, t
from bot.interaction import Interaction, Subject, make
from bot.limits import MAX_TEXT
from bot.messages import Form, FormField, Reply
from bot.teams import service as teams
from storage.models import Team

# The guided template, in the order the card reads: Team column per question.
QUESTIONS = ("our_customers", "customer_needs", "customer_usage", "ask_us_for", "we_need_from_you")
STALE_AFTER = timedelta(days=183)  # six months
FORM_ID = "team.card"
TEAM = Subject("team", bad_id="card.unknown_team")


def stale(team: Team, now: datetime) -> bool:
    """Never reviewed, or not for six months."""
    return team.card_reviewed_at is None or now - team.card_reviewed_at >= STALE_AFTER


def reviewed_text(team: Team, now: datetime, locale: str) -> str:
    """'reviewed 3 Mar 2027' / 'never reviewed', with a warning once stale."""
    if team.card_reviewed_at is None:
        return t(locale, "card.never_reviewed")
    when = format_day(team.card_reviewed_at.date(), locale)
    return t(locale, "card.reviewed_stale" if stale(team, now) else "card.reviewed_on", day=when)


def answers(team: Team) -> dict[str, str]:
    return {name: getattr(team, name) or "" for name in QUESTIONS}


async def may_edit(ctx: Ctx, person_id: int, team: Team) -> bool:
    return await teams.role_of(ctx.session, person_id, team.id) == teams.LEAD


def check(values: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The answers cleaned, and an error per field that cannot be saved (keys: field names)."""
    cleaned = {name: (values.get(name) or "").strip() for name in QUESTIONS}
    errors = {name: "card.too_long" for name, value in cleaned.items() if len(value) > MAX_TEXT}
    if not any(cleaned.values()):
        errors[QUESTIONS[0]] = "card.empty"
    return cleaned, errors


async def save(ctx: Ctx, person_id: int, team: Team, values: dict[str, str]) -> dict[str, str]:
    """Saves a lead's card (a review, even if nothing changed); the field errors if it cannot."""
    if not await may_edit(ctx, person_id, team):
        raise UserError("card.not_lead", team=f"@{team.slug}")
    cleaned, errors = check(values)
    if errors:
        return errors
    for name, value in cleaned.items():
        setattr(team, name, value)
    team.card_reviewed_at = ctx.now
    ctx.session.add(team)
    return {}


def form(locale: str, team: Team) -> Form:
    current = answers(team)
    return Form(
        id=FORM_ID, title=t(locale, "card.form.title", team=team.name), submit_label=t(locale, "card.save"),
        fields=[FormField(name=name, label=t(locale, f"card.q.{name}"), kind="long_text", initial=current[name] or None)
                for name in QUESTIONS],
        context=make(FORM_ID, TEAM, team.id),
    )


async def open_form(ctx: Ctx, caller: Caller, token: str | None) -> Reply:
    """/equipo editar [@x]: the form, for a lead of that team (without a name: the team they lead)."""
    if token:
        team = await teams.find(ctx.session, token)
    else:
        led = [team for team in await teams.teams_of(ctx.session, caller.person.id)
               if await teams.role_of(ctx.session, caller.person.id, team.id) == teams.LEAD]
        if len(led) != 1:
            raise UserError("card.which_team")
        team = led[0]
    if not await may_edit(ctx, caller.person.id, team):
        raise UserError("card.not_lead", team=f"@{team.slug}")
    return Reply(form=form(caller.locale, team))


async def submit_form(ctx: Ctx, caller: Caller, interaction: Interaction, values: dict[str, str]) -> Reply:
    """The chat form's submission (/equipo editar)."""
    team_id = interaction.id
    team = await ctx.session.get(Team, team_id) if isinstance(team_id, int) else None
    if team is None:
        raise UserError("card.unknown_team", value=str(team_id))
    errors = await save(ctx, caller.person.id, team, values)
    if errors:
        return Reply(errors={name: t(caller.locale, key, limit=MAX_TEXT) for name, key in errors.items()})
    return Reply.text(t(caller.locale, "card.saved", team=f"@{team.slug}"))
