"""Request buttons and forms: what a press does, what a submitted form does.

Each receives its typed context (bot.interaction), already checked.
"""

from __future__ import annotations

import dataclasses

from bot.commands.dates import parse_due_field
from bot.commands.registry import Button, Form
from bot.context import Caller, Ctx
from bot.customers import service as customers
from bot.errors import UserError
from bot.i18n import t
from bot.interaction import NOTHING, Interaction, make
from bot.limits import MAX_TEXT, valid_id
from bot.messages import Action, Message, Reply
from bot.people import service as people
from bot.requests import flows, service
from bot.requests.commands import drafts, forms, handlers
from bot.requests.commands import parser as p
from bot.requests.states import DRAFT, PRIORITIES, REQUEST, display_id
from bot.teams import service as teams
from storage.models import Draft

# Buttons that need more input open a form of the same id: id -> (field, required).
TEXT_FORMS = {
    "request.ask_info": ("question", True),
    "request.resolve": ("note", False),
    "request.reject": ("reason", True),
    "request.comment": ("comment", True),
    "request.rate_comment": ("comment", True),
    "request.withdraw": ("reason", False),
}
_TEXT_COMMANDS = {
    "request.ask_info": p.AskInfo, "request.resolve": p.Resolve,
    "request.reject": p.Reject, "request.comment": p.Comment, "request.withdraw": p.Withdraw,
}


async def open_form(ctx: Ctx, caller: Caller, _i: Interaction) -> Reply:
    return Reply(form=forms.new_request(caller.locale, await teams.all_teams(ctx.session)))


async def _own_draft(ctx: Ctx, caller: Caller, i: Interaction) -> Draft:
    draft = await ctx.session.get(Draft, i.id)
    if draft is None or draft.person_id != caller.person.id or "description" not in draft.payload:
        raise UserError("reply.draft_gone")  # gone, someone else's, or a new issue's (bot.issues.commands.opening)
    return draft


async def pick_team(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """A team chosen for a request that named none, or a wrong one: the draft becomes the request."""
    draft = await _own_draft(ctx, caller, i)
    team = await teams.find(ctx.session, i.arg or "")
    cmd = dataclasses.replace(drafts.command(draft), team=team.slug)
    await ctx.session.delete(draft)
    return await handlers.create(ctx, caller, team, cmd)


async def pick_customer(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    """The customer a near-miss tag meant ("" keeps the tag as typed); then on to the team."""
    draft = await _own_draft(ctx, caller, i)
    cmd = drafts.command(draft)
    if i.arg:
        customer = await customers.require(ctx.session, i.arg)
        # The text says what the card says: "#ACMEE" becomes "#acme".
        description = cmd.description.replace(f"#{cmd.customer}", f"#{customer.slug}", 1)
        cmd = dataclasses.replace(cmd, customer=customer.slug, description=description)
    await ctx.session.delete(draft)
    return await handlers.new_request(ctx, caller, cmd, customer_checked=True)


async def ask_text(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    field, required = TEXT_FORMS[i.action]
    await service.get(ctx.session, i.id)  # unknown id: say so before asking anything
    return Reply(form=forms.text_form(caller.locale, i.action, i.id, field, required=required))


async def ask_assignee(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    return Reply(form=forms.assign(caller.locale, i.id, await flows.members_for_assign(ctx, i.id)))


async def ask_new_team(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    request = await service.get(ctx.session, i.id)
    others = [team for team in await teams.all_teams(ctx.session) if team.id != request.team_id]
    return Reply(form=forms.reassign(caller.locale, i.id, others))


async def claim(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    return await handlers.lifecycle(ctx, caller, p.Claim(i.id))


async def reopen(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    return await handlers.lifecycle(ctx, caller, p.Reopen(i.id))


async def rate(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    if not (i.arg or "").isdigit():
        raise UserError("input.bad_rating")
    await flows.rate(ctx, caller.person, i.id, int(i.arg))
    return Reply(message=Message(
        text=t(caller.locale, "reply.rated", ref=display_id(i.id)),
        actions=[Action(id="request.rate_comment", label=t(caller.locale, "action.rate_comment"),
                        value=make("request.rate_comment", REQUEST, i.id))],
    ))


def field_error(caller: Caller, field: str, key: str, **values: object) -> Reply:
    return Reply(errors={field: t(caller.locale, key, **values)})


async def submit_assign(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    person_id = values.get("person", "")
    if not person_id.isdecimal():
        return field_error(caller, "person", "input.empty.person")
    try:
        if not valid_id(int(person_id)):
            raise LookupError(person_id)
        assignee = await people.get(ctx.session, int(person_id))
    except LookupError:
        return field_error(caller, "person", "input.unknown_person", value=person_id)
    await flows.assign(ctx, caller.person, i.id, assignee)
    return Reply.text(t(caller.locale, "reply.assigned", ref=display_id(i.id), person=assignee.name))


async def submit_reassign(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    if not values.get("team"):
        return field_error(caller, "team", "input.empty.team")
    if not values.get("reason"):
        return field_error(caller, "reason", "input.empty.reason")
    return await handlers.lifecycle(ctx, caller, p.Reassign(i.id, values["team"], values["reason"]))


async def submit_text(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    field, required = TEXT_FORMS[i.action]
    text = values.get(field, "")
    if required and not text:
        return field_error(caller, field, f"input.empty.{field}")
    if i.action == "request.rate_comment":
        await flows.add_rating_comment(ctx, caller.person, i.id, text)
        return Reply.text(t(caller.locale, "reply.rating_comment"))
    return await handlers.lifecycle(ctx, caller, _TEXT_COMMANDS[i.action](i.id, text or None))


async def submit_new(ctx: Ctx, caller: Caller, _i: Interaction, values: dict[str, str]) -> Reply:
    errors: dict[str, str] = {}
    loc = caller.locale
    team = None
    if not values.get("team"):
        errors["team"] = t(loc, "input.empty.team")
    else:
        try:
            team = await teams.find(ctx.session, values["team"])
        except UserError as exc:
            errors["team"] = t(loc, exc.key, **exc.values)
    description = values.get("description", "")
    if not description:
        errors["description"] = t(loc, "input.empty.description")
    elif len(description) > MAX_TEXT:
        errors["description"] = t(loc, "input.too_long", limit=MAX_TEXT, length=len(description))
    priority = values.get("priority") or "normal"
    if priority not in PRIORITIES:
        errors["priority"] = t(loc, "input.bad_priority", value=priority)
    due = None
    if values.get("due"):
        today = caller.today(ctx.now)
        due = parse_due_field(values["due"], today)
        if due is None:
            errors["due"] = t(loc, "input.bad_date_field", value=values["due"])
        elif due < today:
            errors["due"] = t(loc, "input.past_date", value=values["due"])
    if errors or team is None:
        return Reply(errors=errors)
    customer = values.get("customer", "").lstrip("#") or None
    cmd = p.NewRequest(team=team.slug, description=description, customer=customer, priority=priority, due=due)
    # A near-miss customer is asked about like a typed one; the team is already known.
    return await handlers.new_request(ctx, caller, cmd)


BUTTONS = (
    Button("request.open_form", NOTHING, open_form),
    Button("route.pick", DRAFT, pick_team),
    Button("request.pick_customer", DRAFT, pick_customer),
    *(Button(action, REQUEST, ask_text) for action in TEXT_FORMS),
    Button("request.assign", REQUEST, ask_assignee),
    Button("request.reassign", REQUEST, ask_new_team),
    Button("request.claim", REQUEST, claim),
    Button("request.reopen", REQUEST, reopen),
    Button("request.rate", REQUEST, rate),
)
FORMS = (
    Form(forms.NEW, NOTHING, submit_new, reopen=open_form),
    Form("request.assign", REQUEST, submit_assign),
    Form("request.reassign", REQUEST, submit_reassign),
    *(Form(form_id, REQUEST, submit_text) for form_id in TEXT_FORMS),
)
