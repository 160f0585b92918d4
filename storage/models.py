"""SQLModel tables: the durable state of Pedir.

Every column a query filters or orders by carries an index, so the scheduler
and the queues work by index seeks rather than scans.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


# Named constraints, so later migrations can drop or alter them on SQLite too.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes in, timezone-aware UTC datetimes out.

    SQLite has no timezone type: without this, values come back naive and
    comparisons with aware datetimes fail. Everything is stored as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utc_column(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


def json_column(default_factory: Any) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


class Person(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    # Nullable: a chat user whose email is hidden still works, keyed by account.
    email: Optional[str] = Field(default=None, unique=True, index=True, max_length=320)
    name: str = Field(max_length=200)
    locale: Optional[str] = Field(default=None, max_length=16)
    timezone: Optional[str] = Field(default=None, max_length=64)
    created_at: Optional[datetime] = utc_column()
    # False while the platform could not tell who this is (users.info rate-limited):
    # the profile is fetched again, and completing it may reveal an existing person.
    profile_complete: bool = Field(default=True)
    # Where name, locale and timezone came from: {"name": "org" | "slack" | "teams"}.
    # The org file's values are never overwritten; a platform refreshes only what it
    # wrote itself; a field with no source may be filled by any platform.
    field_sources: dict[str, str] = json_column(dict)
    # Human resources: may create pulse surveys and read every pulse's results (the org file sets it).
    hr: bool = Field(default=False)


class PlatformAccount(SQLModel, table=True):
    __tablename__ = "platform_account"
    __table_args__ = (UniqueConstraint("platform", "workspace", "external_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    workspace: str = Field(default="", max_length=128)
    external_id: str = Field(max_length=256)
    person_id: int = Field(foreign_key="person.id", index=True)


class Team(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    aliases: list[str] = json_column(list)
    # The customer card: what the team does and how to work with it.
    what_we_do: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    our_customers: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ask_us_for: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    we_need_from_you: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The rest of the guided card (bot.dashboard.card), and when its lead last said it still holds.
    customer_needs: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    customer_usage: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    card_reviewed_at: Optional[datetime] = utc_column()
    keywords: list[str] = json_column(list)
    # {"urgent": {"first_response": minutes, "resolution": minutes}, ...}
    sla: dict[str, Any] = json_column(dict)
    # {"mon": ["09:00", "18:00"], ...}; a missing day is a day off.
    business_hours: dict[str, Any] = json_column(dict)
    timezone: str = Field(default="Europe/Madrid", max_length=64)
    locale: Optional[str] = Field(default=None, max_length=16)
    # {"slack": "C0123", "teams": "19:abc@thread.tacv2", ...}
    intake: dict[str, Any] = json_column(dict)
    # Business minutes between status updates on the team's issues: {"sev1": 120, ...};
    # a severity left out takes the default (bot.org.spec.DEFAULT_CADENCE).
    update_cadence: dict[str, Any] = json_column(dict)
    # Public holidays: the `holidays` package's country ("ES") and region ("MD"),
    # plus the org file's own dates ("2026-12-24"); SLA clocks and nudges skip them.
    country: Optional[str] = Field(default=None, max_length=8)
    subdivision: Optional[str] = Field(default=None, max_length=16)
    extra_holidays: list[str] = json_column(list)
    # When the team's next daily digest is due (09:00 local on its next business day).
    digest_due_at: Optional[datetime] = utc_column(index=True)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "team_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    role: str = Field(default="member", max_length=16)  # member | lead


class Customer(SQLModel, table=True):
    """An external customer: what "#ACME" in a request or an issue refers to."""

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    aliases: list[str] = json_column(list)
    account_manager_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    tier: str = Field(default="", max_length=50)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: Optional[datetime] = utc_column()


class Request(SQLModel, table=True):
    __table_args__ = (
        Index("ix_request_team_status", "team_id", "status"),
        Index("ix_request_requester_status", "requester_id", "status"),
        # The dashboard's figures over a period read these alone, never the table:
        # opened in the period (first response, bounced, the trend's opened)...
        Index("ix_request_created_span", "created_at", "team_id", "reassign_count", "first_response_at"),
        # ...closed in the period with an SLA outcome...
        Index("ix_request_resolved_span", "resolved_at", "team_id", "resolution_met"),
        # ...resolved in the period (resolution time, the trend's resolved), and open now per team.
        Index("ix_request_status_resolved", "status", "resolved_at", "team_id", "created_at", "resolution_met"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="person.id", index=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    owner_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    description: str = Field(sa_column=Column(Text, nullable=False))
    customer: Optional[str] = Field(default=None, max_length=100, index=True)
    # The customer "#ACME" names, when Pedir knows it; the text above stays as typed.
    customer_id: Optional[int] = Field(default=None, foreign_key="customer.id", index=True)
    priority: str = Field(default="normal", max_length=16)
    due_date: Optional[date] = Field(default=None)
    status: str = Field(default="new", max_length=16, index=True)
    created_at: Optional[datetime] = utc_column(index=True)
    updated_at: Optional[datetime] = utc_column()
    # SLA clocks. A due time is NULL while its clock is stopped (met, or paused
    # waiting for the requester), so "what is due" is a plain index seek.
    first_response_due_at: Optional[datetime] = utc_column(index=True)
    resolution_due_at: Optional[datetime] = utc_column(index=True)
    first_response_at: Optional[datetime] = utc_column()
    # 75 % of each promise: the moment the bot warns (NULL: no warning due).
    first_response_warn_at: Optional[datetime] = utc_column()
    resolution_warn_at: Optional[datetime] = utc_column()
    # Since when the team has been waiting for the requester's answer.
    waiting_since: Optional[datetime] = utc_column()
    first_response_met: Optional[bool] = Field(default=None)
    resolution_met: Optional[bool] = Field(default=None)
    # Business seconds left on the resolution clock while it is paused
    # (negative: overdue by that much). Seconds since migration 0007.
    sla_paused_remaining: Optional[int] = Field(default=None)
    resolved_at: Optional[datetime] = utc_column(index=True)
    reassign_count: int = Field(default=0)
    flagged: bool = Field(default=False)
    # Bumped on every change: conditional updates compare it.
    version: int = Field(default=1)


class RequestEvent(SQLModel, table=True):
    __tablename__ = "request_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="person.id")
    kind: str = Field(max_length=32)
    text: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    data: dict[str, Any] = json_column(dict)
    created_at: Optional[datetime] = utc_column()


class RequestRating(SQLModel, table=True):
    __tablename__ = "request_rating"
    # The dashboard's ratings in a period: a range seek that reads no row.
    __table_args__ = (Index("ix_request_rating_created_span", "created_at", "request_id", "score"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    # Unique: one rating per request, enforced by the database.
    request_id: int = Field(foreign_key="request.id", unique=True, index=True)
    score: int
    comment: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: Optional[datetime] = utc_column()


class Draft(SQLModel, table=True):
    """A command waiting for the user's choice ("did you mean @facturacion?").

    Choices carry only the draft's key, so a 3,000-character description
    never has to fit in a button value.
    """

    id: str = Field(primary_key=True, max_length=36)
    person_id: int = Field(foreign_key="person.id", index=True)
    payload: dict[str, Any] = json_column(dict)
    created_at: Optional[datetime] = utc_column()


class Outbox(SQLModel, table=True):
    """A message to deliver, written in the same transaction as its cause."""

    __table_args__ = (
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
        # "Is there a newer version of this card?" is a range seek on this.
        Index("ix_outbox_card_key_id", "card_key", "id"),
        # "Is an earlier message to this recipient still on its way?" (a claim, bot.delivery.claims):
        # a seek on the recipient's undelivered rows, however many were sent before.
        Index("ix_outbox_recipient_status_id", "recipient_id", "status", "id"),
        # "Is an earlier message to this recipient waiting for its retry?" (the same claim):
        # a seek on the recipient's rows due later, not a walk over its whole queue.
        Index("ix_outbox_recipient_status_next_attempt", "recipient_id", "status", "next_attempt_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    recipient_kind: str = Field(max_length=8)  # person | team
    recipient_id: int = Field(index=True)
    # Messages sharing a card key are one card: later ones edit it in place.
    card_key: Optional[str] = Field(default=None, max_length=64)
    payload: dict[str, Any] = json_column(dict)
    status: str = Field(default="pending", max_length=16)  # pending|sending|sent|failed|unreachable
    attempts: int = Field(default=0)
    next_attempt_at: Optional[datetime] = utc_column()
    lease_until: Optional[datetime] = utc_column()
    last_error: Optional[str] = Field(default=None, max_length=500)
    created_at: Optional[datetime] = utc_column()
    sent_at: Optional[datetime] = utc_column()
    platform: Optional[str] = Field(default=None, max_length=16)
    address: Optional[str] = Field(default=None, max_length=256)
    external_id: Optional[str] = Field(default=None, max_length=256)
    # The inbound request that caused it (bot.tracing): its id follows the
    # message into the delivery's log lines, and the wall-clock time it came
    # in measures the command's time to delivery. None for scheduled work.
    request_id: Optional[str] = Field(default=None, max_length=64)
    received_at: Optional[datetime] = utc_column()


class CardPlacement(SQLModel, table=True):
    """Where a card lives on a platform, so a state change edits it in place."""

    __tablename__ = "card_placement"
    __table_args__ = (UniqueConstraint("card_key", "platform", "address"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    card_key: str = Field(max_length=64, index=True)
    platform: str = Field(max_length=16)
    address: str = Field(max_length=256)
    # Indexed: a reply in a card's thread is traced back to its card by this id.
    external_id: str = Field(max_length=256, index=True)
    updated_at: Optional[datetime] = utc_column()


class ProcessedDelivery(SQLModel, table=True):
    """Inbound deliveries already handled (Slack event ids, retried clicks).

    Inserted in the same transaction as the change the delivery caused, so a
    retry after a failure runs again, and a retry after success does nothing.
    """

    __tablename__ = "processed_delivery"

    key: str = Field(primary_key=True, max_length=200)
    created_at: Optional[datetime] = utc_column(index=True)


class ConversationReference(SQLModel, table=True):
    """How to reach a conversation later, unprompted (Teams proactive messages).

    Saved when the bot is installed or first spoken to; kept in the database
    so a restarted server can still nudge people.
    """

    __tablename__ = "conversation_reference"
    __table_args__ = (UniqueConstraint("platform", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    # "person:<person id>" for a personal chat, "channel:<channel id>" for a team channel.
    key: str = Field(max_length=300)
    reference: dict[str, Any] = json_column(dict)
    updated_at: Optional[datetime] = utc_column()


class Issue(SQLModel, table=True):
    """A customer's problem (INC-n) that several departments need to hear about."""

    __table_args__ = (Index("ix_issue_customer_state", "customer_id", "state"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    title: str = Field(max_length=300)
    severity: str = Field(default="sev3", max_length=8)  # sev1 (worst) .. sev4
    state: str = Field(default="open", max_length=16, index=True)  # open | monitoring | closed
    owner_team_id: int = Field(foreign_key="team.id", index=True)
    owner_id: Optional[int] = Field(default=None, foreign_key="person.id")
    created_by_id: int = Field(foreign_key="person.id")
    created_at: Optional[datetime] = utc_column()
    updated_at: Optional[datetime] = utc_column()
    closed_at: Optional[datetime] = utc_column()
    last_status_at: Optional[datetime] = utc_column()
    # When the owner team owes the next status update; NULL once closed, so
    # "whose update is overdue" is a range seek on this index.
    next_update_due: Optional[datetime] = utc_column(index=True)
    version: int = Field(default=1)


class IssueFollower(SQLModel, table=True):
    """A stakeholder: a person (DM) or a team (its channel) that hears every update."""

    __tablename__ = "issue_follower"
    __table_args__ = (
        UniqueConstraint("issue_id", "kind", "ref_id"),
        # "Issues this person or team follows" for home pages and lists.
        Index("ix_issue_follower_kind_ref", "kind", "ref_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    kind: str = Field(max_length=8)  # person | team
    ref_id: int
    added_by_id: Optional[int] = Field(default=None, foreign_key="person.id")
    created_at: Optional[datetime] = utc_column()


class StatusUpdate(SQLModel, table=True):
    """What the owner team said about an issue, and when."""

    __tablename__ = "status_update"

    id: Optional[int] = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    # status | monitoring | closed | reopened | severity: what the update did.
    kind: str = Field(default="status", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: Optional[datetime] = utc_column()


class StatusAck(SQLModel, table=True):
    """Someone said "Entendido" to a status update; once per person."""

    __tablename__ = "status_ack"
    __table_args__ = (UniqueConstraint("status_update_id", "person_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    status_update_id: int = Field(foreign_key="status_update.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    created_at: Optional[datetime] = utc_column()


class RiskFlag(SQLModel, table=True):
    """A churn-risk signal found in something said about a customer."""

    __tablename__ = "risk_flag"
    # "Was this signal flagged for this customer in the last week?" is a seek on this.
    __table_args__ = (Index("ix_risk_flag_customer_signal_created", "customer_id", "signal", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    signal: str = Field(max_length=32)
    phrase: str = Field(max_length=300)
    # Where it was said: "issue" / "status" (INC-7), "request" / "comment" (PED-12).
    source_kind: str = Field(max_length=16)
    source_ref: str = Field(max_length=32)
    excerpt: str = Field(sa_column=Column(Text, nullable=False))
    author_id: Optional[int] = Field(default=None, foreign_key="person.id")
    # The team whose work it came from: its leads act when there is no account manager.
    team_id: Optional[int] = Field(default=None, foreign_key="team.id")
    action: str = Field(max_length=32)  # call_today | involve_lead | consider_compensation
    state: str = Field(default="open", max_length=16)  # open | accepted | dismissed | done
    decided_by_id: Optional[int] = Field(default=None, foreign_key="person.id")
    decided_at: Optional[datetime] = utc_column()
    created_at: Optional[datetime] = utc_column()


class Competitor(SQLModel, table=True):
    """A competitor the organisation file names: a mention of it in something said
    about a customer is a churn-risk signal (bot.churn.detector)."""

    name: str = Field(primary_key=True, max_length=200)


class Nudge(SQLModel, table=True):
    """A reminder or escalation the worker sends: planned, then queued to the
    outbox, then sent once the outbox delivered it.

    The unique key (subject, kind, window, recipient) is what makes each nudge
    go out once, however many workers run: the window names the occurrence
    (the due time it is about, a status update, a day), so a new promise or a
    snooze is a new window and an old one never fires twice.
    """

    __table_args__ = (
        UniqueConstraint("subject_kind", "subject_id", "kind", "window_key", "recipient_kind", "recipient_id",
                         name="uq_nudge_once"),
        # "What is due now" is a range seek on this.
        Index("ix_nudge_state_send_at", "state", "send_at"),
        # The trail on a card.
        Index("ix_nudge_subject", "subject_kind", "subject_id"),
        # "Did this person hear from the bot in the last minutes?" (batching), and
        # the nudges of one message (a snooze).
        Index("ix_nudge_recipient_queued", "recipient_kind", "recipient_id", "queued_at"),
        # "What is due for this person?" (the claim): a seek, whatever their history.
        Index("ix_nudge_recipient_state_send_at", "recipient_kind", "recipient_id", "state", "send_at"),
        # The dashboard's nudges and escalations sent in a period: a range seek.
        Index("ix_nudge_state_sent_at", "state", "sent_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    subject_kind: str = Field(max_length=16)  # request | issue | status | risk | team
    subject_id: int
    kind: str = Field(max_length=32)  # "request.first_response.warn", ...
    window_key: str = Field(max_length=64)
    recipient_kind: str = Field(max_length=8)  # person | team
    recipient_id: int
    state: str = Field(default="planned", max_length=16)  # planned | queued | sent | cancelled | failed
    send_at: Optional[datetime] = utc_column()
    data: dict[str, Any] = json_column(dict)
    outbox_id: Optional[int] = Field(default=None)
    snoozes: int = Field(default=0)
    created_at: Optional[datetime] = utc_column()
    queued_at: Optional[datetime] = utc_column()
    sent_at: Optional[datetime] = utc_column()


class Pulse(SQLModel, table=True):
    """A pulse survey as HR set it up: its questions, audience and schedule.

    Each time it goes out is a PulseRound; answers belong to rounds.
    """

    __table_args__ = (Index("ix_pulse_state_next_open_at", "state", "next_open_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    created_by_id: int = Field(foreign_key="person.id", index=True)
    # The team whose service it asks about; None: a general pulse.
    subject_team_id: Optional[int] = Field(default=None, foreign_key="team.id", index=True)
    # [{"kind": "scale" | "enps" | "text", "text": "¿Cómo valoras...?"}], one to three.
    questions: list[dict[str, Any]] = json_column(list)
    comment: bool = Field(default=True)  # an optional free comment after the questions
    # {"everyone": bool, "teams": [team ids], "people": [person ids]}
    audience: dict[str, Any] = json_column(dict)
    # {"kind": "once" | "weekly" | "biweekly" | "monthly" | "cron", "start": "2027-01-11",
    #  "time": "10:00", "cron": "0 10 * * 1"}; dates and times are each recipient's local ones.
    schedule: dict[str, Any] = json_column(dict)
    timezone: str = Field(default="Europe/Madrid", max_length=64)  # the creator's: where the dates are read
    window_days: int = Field(default=3)  # business days a round stays open
    remind_after_days: Optional[int] = Field(default=None)  # business days after sending; None: no reminder
    anonymous: bool = Field(default=True)
    min_answers: int = Field(default=5)  # no result shows below this many answers
    state: str = Field(default="active", max_length=16)  # active | paused | cancelled | finished
    # The local date of the next round, and the moment the worker opens it.
    next_round_on: Optional[date] = Field(default=None)
    next_open_at: Optional[datetime] = utc_column()
    rounds: int = Field(default=0)
    created_at: Optional[datetime] = utc_column()
    version: int = Field(default=1)


class PulseRound(SQLModel, table=True):
    """One sending of a pulse: open until its window closes, then its results show."""

    __tablename__ = "pulse_round"
    __table_args__ = (
        UniqueConstraint("pulse_id", "number"),
        # "Which rounds close now?" is a range seek on this.
        Index("ix_pulse_round_state_closes_at", "state", "closes_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    pulse_id: int = Field(foreign_key="pulse.id", index=True)
    number: int
    on_date: date
    questions: list[dict[str, Any]] = json_column(list)  # as they were asked in this round
    comment: bool = Field(default=True)
    opens_at: Optional[datetime] = utc_column()
    closes_at: Optional[datetime] = utc_column()
    state: str = Field(default="open", max_length=16)  # open | closed
    audience_size: int = Field(default=0)
    # What the subject team's lead answered to the results, told to the audience.
    team_answer: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    team_answer_by_id: Optional[int] = Field(default=None, foreign_key="person.id")
    team_answer_at: Optional[datetime] = utc_column()
    created_at: Optional[datetime] = utc_column()
    closed_at: Optional[datetime] = utc_column()
    # Receipts that answered, counted once when the round closed (bot.pulses.tally);
    # NULL while open, and for a round closed before the count was kept.
    respondents: Optional[int] = Field(default=None)


class PulseParticipation(SQLModel, table=True):
    """Who was asked in a round and whether they answered: never what they answered.

    Kept apart from the answers so the two cannot be joined: reminders and
    "one answer per person" need only this.
    """

    __tablename__ = "pulse_participation"
    __table_args__ = (
        UniqueConstraint("round_id", "person_id"),
        # "Whose question is due now?" (the fan-out) is a range seek on this.
        Index("ix_pulse_participation_state_send_at", "state", "send_at"),
        Index("ix_pulse_participation_round_state", "round_id", "state"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="pulse_round.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    state: str = Field(default="planned", max_length=16)  # planned | queued | sent | unreachable
    send_at: Optional[datetime] = utc_column()
    # When the one reminder is due; NULL once answered or reminded, so "who is due
    # a reminder" is a seek on this index.
    remind_at: Optional[datetime] = utc_column(index=True)
    answered: bool = Field(default=False)
    outbox_id: Optional[int] = Field(default=None)
    reason: Optional[str] = Field(default=None, max_length=32)  # why unreachable: no_account | ...
    # Only for a pulse its creator made not anonymous: which answers are this person's.
    receipt_hash: Optional[str] = Field(default=None, max_length=64)


class PulseBallot(SQLModel, table=True):
    """Answers waiting to be mixed into pulse_answer, one per receipt.

    A ballot is written with the participation it goes with; the mixer moves
    ballots into the answers in shuffled batches, so neither the answers'
    physical order nor their transaction ids follow the order people answered.
    No row id (WITHOUT ROWID on SQLite): rows sit in the order of their random key.
    """

    __tablename__ = "pulse_ballot"
    __table_args__ = ({"sqlite_with_rowid": False},)

    round_id: int = Field(foreign_key="pulse_round.id", primary_key=True)
    receipt_hash: str = Field(primary_key=True, max_length=64)
    # {"0": 4, "1": 9, "2": "texto", "comment": "..."}: what this receipt said, merged.
    answers: dict[str, Any] = json_column(dict)
    team_id: Optional[int] = Field(default=None)


class PulseAnswer(SQLModel, table=True):
    """One answer to one question. Nothing here names a person or tells when.

    Random ids, no time, no row id (WITHOUT ROWID on SQLite); the respondent's
    team is kept for the breakdown, which hides every group under the threshold.
    The receipt hash ties the answers of one respondent in one round together,
    so they can change them with the receipt only their own message holds.
    """

    __tablename__ = "pulse_answer"
    __table_args__ = (
        UniqueConstraint("round_id", "receipt_hash", "question", name="uq_pulse_answer_receipt"),
        # Results are aggregates over this: a covering seek per round and question.
        Index("ix_pulse_answer_round_question_score", "round_id", "question", "score"),
        {"sqlite_with_rowid": False},
    )

    id: str = Field(primary_key=True, max_length=32)
    round_id: int = Field(foreign_key="pulse_round.id")
    question: int  # the question's index; COMMENT (bot.pulses.ballots) for the free comment
    score: Optional[int] = Field(default=None)
    text: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    team_id: Optional[int] = Field(default=None)
    receipt_hash: str = Field(max_length=64)


class PulseTally(SQLModel, table=True):
    """A closed round's answers counted per question, team and score (bot.pulses.tally).

    Written once when the round closes, since its answers can no longer
    change; results read these few hundred rows instead of every answer. An
    aggregate of anonymous answers: no person, no time, no row id.
    Sentinels instead of NULLs, so the primary key holds on SQLite and
    PostgreSQL alike (both let NULLs repeat in a unique key): team_id NO_TEAM
    (0, never a team's id) for respondents in no team, score NO_SCORE (-1)
    for text answers and comments.
    """

    __tablename__ = "pulse_tally"
    __table_args__ = ({"sqlite_with_rowid": False},)

    round_id: int = Field(foreign_key="pulse_round.id", primary_key=True)
    question: int = Field(primary_key=True)  # as in pulse_answer
    team_id: int = Field(primary_key=True)
    score: int = Field(primary_key=True)
    answers: int


class DashboardLink(SQLModel, table=True):
    """A one-time sign-in link to the dashboard (/pedir panel): only its hash is kept."""

    __tablename__ = "dashboard_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    # The sweep (bot.dashboard.sweep) drops expired links: a range seek on this.
    expires_at: Optional[datetime] = utc_column(index=True)
    used_at: Optional[datetime] = utc_column()
    created_at: Optional[datetime] = utc_column()


class DashboardSession(SQLModel, table=True):
    """A signed-in browser: the cookie's hash, its CSRF token and when it was last used."""

    __tablename__ = "dashboard_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: Optional[datetime] = utc_column()
    # The sweep drops sessions idle too long: a range seek on this.
    last_seen_at: Optional[datetime] = utc_column(index=True)
