"""Every Adaptive Card Pedir sends, as Teams shows it.

Teams' host configuration caps each action container (a card's `actions`,
each `ActionSet`, the card inside each `Action.ShowCard`) at maxActions, 6,
and drops the rest without a word. These tests count that way, for every
card the tour in tests/card_tour.py meets (requests in every state, issues,
customers, risk flags, reminders, pulses, homes, directories, help, every
form), in Spanish and English, and for any list of buttons at all; then ask
Microsoft's adaptivecards library for its own verdict on the same cards.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.teams.cards import MAX_ACTIONS, form_card, message_card
from bot.domains import REGISTRY
from bot.messages import Action, Message
from tests.card_tour import Tour, tour
from tests.harness.cardcheck import action_containers, official_verdicts, submits

REQUEST_BUTTONS = [("request.claim", "Tomar"), ("request.assign", "Asignar"), ("request.ask_info", "Pedir información"),
                   ("request.resolve", "Resolver"), ("request.reject", "Rechazar"),
                   ("request.reassign", "Reasignar"), ("request.comment", "Comentar")]


def assert_within_limit(card: dict) -> None:
    for container in action_containers(card):
        assert 1 <= len(container) <= MAX_ACTIONS, json.dumps(card)[:500]


def assert_fits_teams(card: dict, actions: list[Action]) -> None:
    """No container over the limit, none empty, and every button there once, in order."""
    assert_within_limit(card)
    assert [(s["data"]["pedir_action"], s["data"]["value"]) for s in submits(card)] == \
        [(a.id, a.value) for a in actions]


def request_card(locale: str | None = None) -> Message:
    return Message(title="PED-1 · Facturación", text="corregir la factura", locale=locale,
                   actions=[Action(id=i, label=label, value="1") for i, label in REQUEST_BUTTONS])


def test_a_team_card_shows_five_buttons_and_the_rest_behind_mas():
    card = message_card(request_card())
    *shown, more = card["actions"]
    assert [a["title"] for a in shown] == ["Tomar", "Asignar", "Pedir información", "Resolver", "Rechazar"]
    assert more["type"] == "Action.ShowCard" and more["title"] == "Más…"
    assert [a["title"] for a in more["card"]["actions"]] == ["Reasignar", "Comentar"]
    assert more["card"]["type"] == "AdaptiveCard" and not any(b["type"] == "ActionSet" for b in card["body"])
    assert message_card(request_card("en-GB"))["actions"][-1]["title"] == "More…"
    assert_fits_teams(card, request_card().actions)


def test_a_scale_keeps_every_answer_in_sight_in_rows():
    scale = Message(text="¿Recomendarías Sistemas?",
                    actions=[Action(id="pulse.answer", label=str(n), value=f"r:{n}") for n in range(11)])
    card = message_card(scale)
    assert "actions" not in card
    assert [len(b["actions"]) for b in card["body"] if b["type"] == "ActionSet"] == [6, 5]
    assert_fits_teams(card, scale.actions)


@given(st.lists(st.tuples(st.sampled_from(["a.one", "a.two", "b.three"]),
                          st.sampled_from(["default", "primary", "danger"])), max_size=40),
       st.sampled_from([None, "es", "en"]))
def test_any_buttons_at_all_fit_and_none_is_lost(buttons, locale):  # noqa: ANN001
    message = Message(text="x", locale=locale, actions=[Action(id=i, label=f"B{n}", value=str(n), style=style)
                                                          for n, (i, style) in enumerate(buttons)])
    card = message_card(message)
    assert_fits_teams(card, message.actions)
    assert "actions" in card or "ActionSet" in json.dumps(card) or not buttons


@pytest.mark.parametrize("backend", ["sqlite"])  # rendering: one database is enough
async def test_every_card_the_tour_meets_fits_teams(app, folk):  # noqa: ANN001
    seen = await tour(app, folk)
    for message in seen.messages:
        for locale in ("es", "en"):
            assert_fits_teams(message_card(message.model_copy(update={"locale": locale})), message.actions)
    for form in seen.forms:
        for errors in ({}, {field.name: "✗" for field in form.fields}):
            card = form_card(form, errors)
            assert_within_limit(card)
            assert [s["data"]["pedir_form"] for s in submits(card)] == [form.id]  # its one submit button
    assert_the_tour_met_every_kind(seen)


def assert_the_tour_met_every_kind(seen: Tour) -> None:
    """The tour reaches what these tests claim: a new form, or cards it stops meeting, fail here."""
    assert {form.id for form in seen.forms} == {form.id for domain in REGISTRY.domains for form in domain.forms}
    states = {fact.value for m in seen.messages for fact in m.fields if fact.label == "Estado"}
    assert {"Nuevo", "En curso", "Esperando información", "Resuelto", "Rechazado"} <= states
    ids = {action.id for m in seen.messages for action in m.actions}
    for kind in ("request.rate", "status.ack", "risk.dismiss", "nudge.snooze", "pulse.answer", "pulse.change",
                 "pulse.respond", "route.pick", "issue.post_status", "request.reopen"):
        assert kind in ids, kind
    assert any(len(m.actions) > MAX_ACTIONS and len({a.id for a in m.actions}) > 1 for m in seen.messages)
    assert any(len(m.actions) == 11 for m in seen.messages)  # the eNPS scale
    assert any(m.title and m.title.startswith("PED-") for m in seen.messages)
    assert sum(1 for m in seen.messages if m.text.startswith("*Tus pedidos abiertos")) >= 5  # home pages


def test_the_official_library_catches_what_teams_would_drop():
    """The check below can fail: seven buttons in one container are refused, as Teams would drop one."""
    seven = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}],
             "actions": [{"type": "Action.Submit", "title": str(n)} for n in range(7)]}
    unknown = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Nope"}]}
    too_many, not_known = official_verdicts([seven, unknown])
    assert too_many == ["TooManyActions: Maximum number of actions exceeded (6)."]
    assert not_known and "Nope" in not_known[0]


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_official_library_finds_nothing_wrong_with_any_card(app, folk):  # noqa: ANN001
    seen = await tour(app, folk)
    cards = [message_card(m.model_copy(update={"locale": loc})) for m in seen.messages for loc in ("es", "en")]
    cards += [form_card(f, errors) for f in seen.forms for errors in ({}, {f.fields[0].name: "✗"})]
    unique = list({json.dumps(card, sort_keys=True): card for card in cards}.values())
    verdicts = official_verdicts(unique)
    assert [(card, found) for card, found in zip(unique, verdicts, strict=True) if found] == []
    assert len(unique) > 100

