"""Answers to button presses and form submissions, inside the caller's transaction."""

from __future__ import annotations

from datetime import date

from bot.commands import forms, handlers, issue_parser, parser
from bot.context import MAX_TEXT
from bot.customers import risk
from bot.commands.dates import parse_due
from bot.commands.handlers import Caller
from bot.errors import UserError
from bot.i18n import t
from bot.messages import Action, Message, Reply
from bot.issues import flows as issue_flows
from bot.issues.states import display_id as issue_display_id
from bot.people import service as people
from bot.requests import flows, service
from bot.requests.states import PRIORITIES, display_id
from bot.teams import service as teams
from storage.models import Draft

# Buttons that need more input open a form: button id -> (field, required).
TEXT_FORMS = {
    "request.ask_info": ("question", True),
    "request.resolve": ("note", False),
    "request.reject": ("reason", True),
    "request.comment": ("comment", True),
    "request.rate_comment": ("comment", True),
}


# Issue buttons that open a form: button id -> (field, required).
ISSUE_FORMS = {"issue.post_status": ("update", True), "issue.close": ("note", False)}
RISK_DECISIONS = {"risk.accept": "accept", "risk.dismiss": "dismiss", "risk.done": "done"}


# Ids past the database's INTEGER make PostgreSQL fail the query: refuse them first.
MAX_ID = 2**31 - 1


def _request_id(value: str, error: str = "input.bad_request_id") -> int:
    head = value.split(":", 1)[0]
    if not head.isdecimal() or not 1 <= int(head) <= MAX_ID:
        raise UserError(error, value=value)
    return int(head)


# A bad id on an issue, status or risk button is not a request number ("use PED-12").
_BAD_TARGET = {"issue": "input.bad_issue_id", "status": "status.unknown", "risk": "risk.unknown"}


async def press(ctx: flows.Ctx, caller: Caller, action_id: str, value: str) -> Reply:
    """A button was pressed: act at once, or answer with the form it needs."""
    if action_id == "route.pick":
        return await pick_team(ctx, caller, value)
    if action_id == "request.open_form":
        return Reply(form=forms.new_request(caller.locale, await teams.all_teams(ctx.session)))
    if (kind := action_id.split(".", 1)[0]) in _BAD_TARGET:
        return await press_issue(ctx, caller, action_id, _request_id(value, _BAD_TARGET[kind]))
    rid = _request_id(value)
    if action_id in TEXT_FORMS:
        field, required = TEXT_FORMS[action_id]
        await service.get(ctx.session, rid)  # unknown id: say so before asking anything
        return Reply(form=forms.text_form(caller.locale, action_id, rid, field, required=required))
    if action_id == "request.assign":
        return Reply(form=forms.assign(caller.locale, rid, await flows.members_for_assign(ctx, rid)))
    if action_id == "request.reassign":
        request = await service.get(ctx.session, rid)
        others = [team for team in await teams.all_teams(ctx.session) if team.id != request.team_id]
        return Reply(form=forms.reassign(caller.locale, rid, others))
    if action_id == "request.claim":
        return await handlers.lifecycle(ctx, caller, parser.Claim(rid))
    if action_id == "request.reopen":
        return await handlers.lifecycle(ctx, caller, parser.Reopen(rid))
    if action_id == "request.rate":
        score = value.split(":", 1)[1] if ":" in value else ""
        if not score.isdigit():
            raise UserError("input.bad_rating")
        await flows.rate(ctx, caller.person, rid, int(score))
        return Reply(message=Message(
            text=t(caller.locale, "reply.rated", ref=display_id(rid)),
            actions=[Action(id="request.rate_comment", label=t(caller.locale, "action.rate_comment"), value=str(rid))],
        ))
    raise UserError("input.unknown_command", value=action_id)


async def press_issue(ctx: flows.Ctx, caller: Caller, action_id: str, target: int) -> Reply:
    """Buttons on issue cards, status updates and risk flags."""
    loc = caller.locale
    if action_id in ISSUE_FORMS:
        field, required = ISSUE_FORMS[action_id]
        # Refuse before the form opens: whatever someone typed in it would be lost.
        await issue_flows.owner_team_issue(ctx, caller.person, target)
        return Reply(form=forms.issue_text_form(loc, action_id, target, field, required=required))
    if action_id == "issue.follow":
        return await handlers.handle(ctx, caller, issue_parser.IssueFollow(target))
    if action_id == "status.ack":
        update, first = await issue_flows.acknowledge(ctx, caller.person, target)
        key = "reply.acked" if first else "reply.already_acked"
        return Reply.text(t(loc, key, ref=issue_display_id(update.issue_id)))
    if action_id in RISK_DECISIONS:
        flag = await risk.decide(ctx, caller.person, target, RISK_DECISIONS[action_id])
        return Reply.text(t(loc, f"reply.risk_{flag.state}"))
    raise UserError("input.unknown_command", value=action_id)


async def pick_team(ctx: flows.Ctx, caller: Caller, value: str) -> Reply:
    draft_id, _, slug = value.partition(":")
    draft = await ctx.session.get(Draft, draft_id)
    if draft is None or draft.person_id != caller.person.id:
        raise UserError("reply.draft_gone")
    team = await handlers.find_team(ctx, slug)
    data = draft.payload
    cmd = parser.NewRequest(
        team=team.slug, description=data["description"], customer=data.get("customer"),
        priority=data.get("priority") or "normal", due=date.fromisoformat(data["due"]) if data.get("due") else None,
    )
    await ctx.session.delete(draft)
    return await handlers.create(ctx, caller, team, cmd)


async def submit(ctx: flows.Ctx, caller: Caller, form_id: str, context: str, values: dict[str, str]) -> Reply:
    """A filled-in form. Field problems come back as inline errors, nothing saved."""
    values = {key: (value or "").strip() for key, value in values.items()}
    if form_id == "request.new":
        return await submit_new(ctx, caller, values)
    if form_id in ISSUE_FORMS:
        return await submit_issue(ctx, caller, form_id, _request_id(context, "input.bad_issue_id"), values)
    rid = _request_id(context)
    me = caller.person
    if form_id == "request.assign":
        person_id = values.get("person", "")
        if not person_id.isdecimal():
            return _field_error(caller, "person", "input.empty.person")
        try:
            if int(person_id) > MAX_ID:
                raise LookupError(person_id)
            assignee = await people.get(ctx.session, int(person_id))
        except LookupError:
            return _field_error(caller, "person", "input.unknown_person", value=person_id)
        await flows.assign(ctx, me, rid, assignee)
        return Reply.text(t(caller.locale, "reply.assigned", ref=display_id(rid), person=assignee.name))
    if form_id == "request.reassign":
        if not values.get("team"):
            return _field_error(caller, "team", "input.empty.team")
        if not values.get("reason"):
            return _field_error(caller, "reason", "input.empty.reason")
        return await handlers.lifecycle(ctx, caller, parser.Reassign(rid, values["team"], values["reason"]))
    if form_id in TEXT_FORMS:
        field, required = TEXT_FORMS[form_id]
        text = values.get(field, "")
        if required and not text:
            return _field_error(caller, field, f"input.empty.{field}")
        if form_id == "request.rate_comment":
            await flows.add_rating_comment(ctx, me, rid, text)
            return Reply.text(t(caller.locale, "reply.rating_comment"))
        command = {
            "request.ask_info": parser.AskInfo, "request.resolve": parser.Resolve,
            "request.reject": parser.Reject, "request.comment": parser.Comment,
        }[form_id]
        return await handlers.lifecycle(ctx, caller, command(rid, text or None))
    raise UserError("input.unknown_command", value=form_id)


async def submit_issue(ctx: flows.Ctx, caller: Caller, form_id: str, issue_id: int, values: dict[str, str]) -> Reply:
    field, required = ISSUE_FORMS[form_id]
    text = values.get(field, "")
    if required and not text:
        return _field_error(caller, field, f"input.empty.{field}")
    if len(text) > MAX_TEXT:
        return _field_error(caller, field, "input.too_long", limit=MAX_TEXT, length=len(text))
    if form_id == "issue.post_status":
        return await handlers.handle(ctx, caller, issue_parser.StatusPost(issue_id, text))
    return await handlers.handle(ctx, caller, issue_parser.IssueClose(issue_id, text or None))


def _field_error(caller: Caller, field: str, key: str, **values: object) -> Reply:
    return Reply(errors={field: t(caller.locale, key, **values)})


async def submit_new(ctx: flows.Ctx, caller: Caller, values: dict[str, str]) -> Reply:
    errors: dict[str, str] = {}
    loc = caller.locale
    team = None
    if not values.get("team"):
        errors["team"] = t(loc, "input.empty.team")
    else:
        try:
            team = await handlers.find_team(ctx, values["team"])
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
        due = parse_due(values["due"], today)
        if due is None:
            errors["due"] = t(loc, "input.bad_date", value=values["due"])
        elif due < today:
            errors["due"] = t(loc, "input.past_date", value=values["due"])
    if errors or team is None:
        return Reply(errors=errors)
    customer = values.get("customer", "").lstrip("#") or None
    cmd = parser.NewRequest(team=team.slug, description=description, customer=customer, priority=priority, due=due)
    return await handlers.create(ctx, caller, team, cmd)

