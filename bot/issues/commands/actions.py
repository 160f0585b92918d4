"""Buttons on issue cards and status updates, and the forms they open.

Each receives its typed context (bot.interaction), already checked.
"""

from __future__ import annotations

from bot.commands.registry import Button, Form
from bot.context import Caller, Ctx
from bot.i18n import t
from bot.interaction import Interaction, make
from bot.issues import flows
from bot.issues.commands import handlers, opening
from bot.issues.commands import parser as p
from bot.issues.states import DRAFT, ISSUE, STATUS_UPDATE, display_id
from bot.limits import MAX_TEXT
from bot.messages import Form as FormMessage
from bot.messages import FormField, Reply

# Issue buttons that open a form of the same id: id -> (field, required).
TEXT_FORMS = {"issue.post_status": ("update", True), "issue.close": ("note", False)}


def text_form(locale: str | None, form_id: str, issue_id: int, field: str, *, required: bool) -> FormMessage:
    """Post a status on INC-7, or close it with a note."""
    name = form_id.split(".", 1)[1]
    return FormMessage(
        id=form_id,
        title=t(locale, f"form.{name}.title", ref=display_id(issue_id)),
        submit_label=t(locale, "action.send"),
        fields=[FormField(name=field, label=t(locale, f"field.{field}"), kind="long_text", required=required)],
        context=make(form_id, ISSUE, issue_id),
    )


async def ask_text(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    field, required = TEXT_FORMS[i.action]
    # Refuse before the form opens: whatever someone typed in it would be lost.
    await flows.owner_team_issue(ctx, caller.person, i.id)
    return Reply(form=text_form(caller.locale, i.action, i.id, field, required=required))


async def follow(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    return await handlers.handle(ctx, caller, p.IssueFollow(i.id))


async def acknowledge(ctx: Ctx, caller: Caller, i: Interaction) -> Reply:
    update, first = await flows.acknowledge(ctx, caller.person, i.id)
    key = "reply.acked" if first else "reply.already_acked"
    return Reply.text(t(caller.locale, key, ref=display_id(update.issue_id)))


async def submit_text(ctx: Ctx, caller: Caller, i: Interaction, values: dict[str, str]) -> Reply:
    field, required = TEXT_FORMS[i.action]
    text = values.get(field, "")
    if required and not text:
        return Reply(errors={field: t(caller.locale, f"input.empty.{field}")})
    if len(text) > MAX_TEXT:
        return Reply(errors={field: t(caller.locale, "input.too_long", limit=MAX_TEXT, length=len(text))})
    if i.action == "issue.post_status":
        return await handlers.handle(ctx, caller, p.StatusPost(i.id, text))
    return await handlers.handle(ctx, caller, p.IssueClose(i.id, text or None))


BUTTONS = (
    *(Button(action, ISSUE, ask_text) for action in TEXT_FORMS),
    Button("issue.follow", ISSUE, follow),
    Button("status.ack", STATUS_UPDATE, acknowledge),
    Button(opening.PICK, DRAFT, opening.pick_team),
)
FORMS = tuple(Form(form_id, ISSUE, submit_text) for form_id in TEXT_FORMS)
