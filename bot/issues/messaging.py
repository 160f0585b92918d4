"""What Pedir says about an issue: its card, each status update, the author's receipt.

Every follower gets the issue's card once (card key `issue:<id>`), edited in
place as the issue changes. Each status update is a new message (it is news),
card key `status:<id>`, so an "Entendido" can edit it; the author's receipt
(`status:<id>:receipt`) lists who has acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import format_age, format_when, t
from bot.interaction import make
from bot.issues.states import CLOSED, ISSUE, STATUS, STATUS_UPDATE, display_id
from bot.messages import Action, Fact, Message
from bot.nudges import trail as nudge_trail
from bot.text import shorten
from storage.models import Customer, Issue, Person, StatusUpdate, Team


def card_key(issue_id: int) -> str:
    return f"issue:{issue_id}"


def status_card_key(status_id: int) -> str:
    return f"status:{status_id}"


def receipt_key(status_id: int) -> str:
    return f"status:{status_id}:receipt"


@dataclass
class IssueView:
    """An issue with everything needed to describe it."""

    issue: Issue
    customer: Customer
    team: Team
    owner: Person | None
    manager: Person | None
    latest: StatusUpdate | None
    latest_author: Person | None
    # What the bot already did about it (bot.nudges.trail), oldest first.
    trail: list[nudge_trail.Entry] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return display_id(self.issue.id)


def heading(view: IssueView) -> str:
    return f"{view.ref} · {view.customer.name} · {view.issue.severity.upper()} — {view.issue.title}"


def facts(view: IssueView, locale: str | None) -> list[Fact]:
    issue = view.issue
    return [
        Fact(label=t(locale, "field.customer"), value=f"{view.customer.name} (#{view.customer.slug})"),
        Fact(label=t(locale, "field.severity"), value=t(locale, f"severity.{issue.severity}")),
        Fact(label=t(locale, "field.state"), value=t(locale, f"issue_state.{issue.state}")),
        Fact(label=t(locale, "field.owner_team"), value=view.team.name),
        Fact(label=t(locale, "field.owner"), value=view.owner.name if view.owner else t(locale, "field.nobody")),
        Fact(label=t(locale, "field.account_manager"), value=view.manager.name if view.manager else "—"),
    ]


def due_line(issue: Issue, locale: str | None, tz: str, now: datetime, home_tz: str | None = None) -> str:
    """When the next update is due, in `tz`; `home_tz` (the owner team's) as in format_when."""
    if issue.state == CLOSED:
        return t(locale, "issue.closed_on", when=format_when(issue.closed_at or now, locale, tz, home_tz=home_tz))
    if issue.next_update_due is None:
        return ""
    when = format_when(issue.next_update_due, locale, tz, home_tz=home_tz)
    return t(locale, "issue.update_overdue" if issue.next_update_due < now else "issue.update_due", when=when)


def context_line(view: IssueView, locale: str | None, tz: str, now: datetime) -> str:
    """The small print of a card: when the next update is due, and under it who the bot reminded."""
    home = view.team.timezone
    parts = (due_line(view.issue, locale, tz, now, home), nudge_trail.line(view.trail, locale, tz, home_tz=home))
    return "\n".join(part for part in parts if part)


def latest_line(view: IssueView, locale: str | None, tz: str) -> str:
    if view.latest is None:
        return t(locale, "issue.no_status_yet")
    who = view.latest_author.name if view.latest_author else "Pedir"
    when = format_when(view.latest.created_at, locale, tz, home_tz=view.team.timezone)
    return t(locale, "issue.latest", who=who, when=when, text=view.latest.text)


def issue_card(view: IssueView, locale: str | None, tz: str, now: datetime, *, owner_team: bool = False) -> Message:
    """The follower's card. The owner team's copy carries the buttons to act."""
    actions: list[Action] = []
    if owner_team and view.issue.state != CLOSED:
        actions = [
            Action(id="issue.post_status", label=t(locale, "action.post_status"),
                   value=make("issue.post_status", ISSUE, view.issue.id), style="primary"),
            Action(id="issue.close", label=t(locale, "action.close_issue"), value=make("issue.close", ISSUE, view.issue.id)),
        ]
    return Message(
        title=heading(view),
        text=latest_line(view, locale, tz),
        fields=facts(view, locale),
        actions=actions,
        context=context_line(view, locale, tz, now),
    )


def status_title(view: IssueView, update: StatusUpdate, locale: str | None) -> str:
    kind = update.kind if update.kind != STATUS else "status"
    return t(locale, f"status_kind.{kind}", ref=view.ref, customer=view.customer.name)


def status_card(
    view: IssueView, update: StatusUpdate, author: Person, locale: str | None, tz: str, now: datetime,
    *, acked: list[Person] | None = None, you_acked: bool = False,
) -> Message:
    """One status update as a follower sees it, with the "Entendido" button.

    `acked` (a team channel's copy) lists who has acknowledged so far;
    `you_acked` (a person's copy) replaces the button with a check mark.
    """
    home = view.team.timezone
    small = [t(locale, "status.by", who=author.name, when=format_when(update.created_at, locale, tz, home_tz=home))]
    if due := due_line(view.issue, locale, tz, now, home):
        small.append(due)
    if acked:
        small.append(t(locale, "status.acked_by", count=len(acked), names=", ".join(p.name for p in acked)))
    if you_acked:
        small.append(t(locale, "status.you_acked"))
    actions = [] if you_acked else [
        Action(id="status.ack", label=t(locale, "action.ack"), value=make("status.ack", STATUS_UPDATE, update.id),
               style="primary")
    ]
    return Message(
        title=status_title(view, update, locale),
        text="\n".join(filter(None, [_bold(view.issue.title), update.text])),
        actions=actions,
        context=" · ".join(small),
    )


def receipt(view: IssueView, update: StatusUpdate, recipients: int, acked: list[Person], locale: str | None) -> Message:
    """The author's view of their update: how many it reached, who has acknowledged."""
    if acked:
        who = t(locale, "status.acked_by", count=len(acked), names=", ".join(p.name for p in acked))
    else:
        who = t(locale, "status.nobody_acked")
    return Message(
        title=t(locale, "status.receipt_title", ref=view.ref),
        text=shorten(update.text, 200) or status_title(view, update, locale),
        context=f"{t(locale, 'status.reached_one' if recipients == 1 else 'status.reached', count=recipients)} · {who}",
    )


def _bold(text: str) -> str:
    # A "*" inside would end the bold early and show the rest as markup.
    return text if "*" in text else f"*{text}*"


def summary_line(view: IssueView, locale: str | None, tz: str, now: datetime) -> str:
    """'INC-7 · ACME · SEV2 · Abierta · hace 3 h — title' and the last status under it."""
    issue = view.issue
    bits = [view.ref, view.customer.name, issue.severity.upper(), t(locale, f"issue_state.{issue.state}"),
            t(locale, "issue.opened_ago", age=format_age(now - issue.created_at, locale))]
    line = " · ".join(bits) + f" — {shorten(issue.title, 80)}"
    if view.latest is not None:
        age = format_age(now - view.latest.created_at, locale)
        line += "\n    " + t(locale, "issue.last_status", age=age, text=shorten(view.latest.text, 100))
    if due := due_line(issue, locale, tz, now, view.team.timezone):
        line += f"\n    {due}"
    return line
