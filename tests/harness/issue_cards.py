"""The messages customer issues send, built by the domain from in-memory rows,
at their largest: for the Block Kit and Adaptive Card renderer tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.customers import risk
from bot.issues import messaging
from bot.issues.messaging import IssueView
from bot.messages import Message
from storage.models import Customer, Issue, Person, RiskFlag, StatusUpdate, Team

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
# What users type can hold anything: markup, mentions, entities, line breaks.
HOSTILE = "<!channel> **x** [a](http://evil) & <@U1> _y_ `z`"
LONG_TITLE = ("El portal de pedidos no carga " + HOSTILE + " ").ljust(300, "x")[:300]
LONG_STATUS = ("Causa: certificado caducado.\n" + HOSTILE + "\n" + "Lo renovamos, " * 300)[:3000]


def person(pid: int, name: str) -> Person:
    return Person(id=pid, name=name, email=f"p{pid}@example.com")


def view(title: str = LONG_TITLE, status: str | None = LONG_STATUS) -> tuple[IssueView, StatusUpdate | None]:
    customer = Customer(id=1, slug="acme", name="ACME Logística S.L.", account_manager_id=3)
    team = Team(id=1, slug="soporte", name="Soporte")
    lucia, javier, elena = person(1, "Lucía Hernández Díaz"), person(2, "Javier Martín Gómez"), person(3, "Elena Torres")
    issue = Issue(id=7, customer_id=1, title=title, severity="sev2", state="open", owner_team_id=1, owner_id=1,
                  created_by_id=1, created_at=NOW - timedelta(hours=3), next_update_due=NOW + timedelta(hours=2))
    update = None
    if status is not None:
        update = StatusUpdate(id=42, issue_id=7, author_id=2, kind="status", text=status, created_at=NOW)
    return IssueView(issue, customer, team, lucia, elena, update, javier if update else None), update


def ackers(count: int) -> list[Person]:
    return [person(100 + i, f"Persona Número {i} de Apellido Largo") for i in range(count)]


def issue_card(owner_team: bool = True, **kw) -> Message:  # noqa: ANN003
    issue_view, _ = view(**kw)
    return messaging.issue_card(issue_view, "es", "Europe/Madrid", NOW, owner_team=owner_team)


def status_card(title: str = LONG_TITLE, **kw) -> Message:  # noqa: ANN003
    issue_view, update = view(title=title)
    return messaging.status_card(issue_view, update, person(2, "Javier Martín Gómez"), "es", "Europe/Madrid", NOW, **kw)


def receipt(acked: int) -> Message:
    issue_view, update = view()
    return messaging.receipt(issue_view, update, 120, ackers(acked), "es")


def risk_card(state: str = "open") -> Message:
    flag = RiskFlag(id=5, customer_id=1, signal="cancel", phrase="cancelar el contrato", source_kind="status",
                    source_ref="INC-7", excerpt="…dicen que quieren cancelar el contrato " + HOSTILE + "…",
                    author_id=2, team_id=1, action="call_today", state=state, created_at=NOW)
    customer = Customer(id=1, slug="acme", name="ACME Logística S.L.")
    decided = person(3, "Elena Torres") if state != "open" else None
    return risk.card([flag], customer, person(2, "Javier Martín Gómez"), decided, "es", "Europe/Madrid")


def customer_view(issues: int = 3, notes: str = "") -> Message:
    """/cliente's shape (bot/customers/view.py), with `issues` summary lines."""
    from bot.messages import Fact

    lines = []
    for n in range(issues):
        issue_view, _ = view(title=f"Incidencia número {n} " + HOSTILE)
        issue_view.issue.id = n + 1
        lines.append(messaging.summary_line(issue_view, "es", "Europe/Madrid", NOW))
    return Message(title="ACME Logística S.L. · #acme · gold", text=notes, fields=[
        Fact(label="Gestor de cuenta", value="Elena Torres"),
        Fact(label="Riesgo", value="Sin señales de riesgo en 30 días."),
        Fact(label=f"Incidencias abiertas ({issues})", value="\n".join(lines) or "Ninguna."),
        Fact(label="Pedidos abiertos y de los últimos 30 días (0)", value="Ninguno."),
    ])
