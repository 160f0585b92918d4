"""What a pulse says to the people it asks: the question, the answer with its
receipt, the reminder, the closed notice and the team's answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import format_when, t
from bot.interaction import make
from bot.messages import Action, Message
from bot.pulses.states import COMMENT, ENPS, ROUND, SCORES, TEXT, display_id
from storage.models import Pulse, PulseRound


@dataclass(frozen=True)
class Reader:
    locale: str
    timezone: str


@dataclass(frozen=True)
class Asked:
    """A round as its question message shows it."""

    pulse: Pulse
    round: PulseRound
    subject: str | None  # the subject team's name
    previous_answer: str | None = None  # what the team answered after the last round


def title(asked: Asked, reader: Reader) -> str:
    ref = display_id(asked.pulse.id or 0)
    if asked.subject:
        return t(reader.locale, "pulse.title.about", ref=ref, team=asked.subject)
    return t(reader.locale, "pulse.title", ref=ref)


def question_message(asked: Asked, reader: Reader, *, reminder: bool = False) -> Message:
    """The direct message that asks: every question, the first one's buttons, how answers are kept."""
    loc, rnd = reader.locale, asked.round
    lines = [t(loc, "pulse.reminder.lead")] if reminder else []
    if asked.previous_answer and asked.subject:
        lines.append(t(loc, "pulse.previous_answer", team=asked.subject, text=asked.previous_answer))
    lines += [_question_line(rnd, index, reader) for index in range(len(rnd.questions))]
    lines.append(_privacy(asked.pulse, loc))
    return Message(title=title(asked, reader), text="\n\n".join(lines),
                   context=_until(rnd, reader), actions=answer_actions(rnd, 0, None, loc))


def answered_message(asked: Asked, reader: Reader, given: Mapping[str, Any], receipt: str,
                     *, showing: int | None = None) -> Message:
    """The answer so far, in place of the question: it holds the receipt that changes it.

    `showing` puts one question's buttons on (to change it); otherwise the
    first question not yet answered, or, once all are, buttons to change each."""
    loc, rnd = reader.locale, asked.round
    lines = []
    for index, question in enumerate(rnd.questions):
        answer = given.get(str(index))
        shown = t(loc, "pulse.your_answer", answer=_shown(answer)) if answer is not None else t(loc, "pulse.no_answer")
        lines.append(f"{index + 1}. {question['text']}\n{shown}")
    if rnd.comment and (comment := given.get(str(COMMENT))):
        lines.append(t(loc, "pulse.your_comment", text=_shown(comment)))
    pending = next((i for i in range(len(rnd.questions)) if str(i) not in given), None)
    current = showing if showing is not None else pending
    if current is not None:
        lines.append(t(loc, "pulse.now_answer", number=current + 1))
        actions = answer_actions(rnd, current, receipt, loc)
    else:
        lines.append(t(loc, "pulse.thanks"))
        actions = _change_actions(rnd, receipt, loc)
    lines.append(_privacy(asked.pulse, loc))
    context = t(loc, "pulse.receipt_note", until=format_when(rnd.closes_at, loc, reader.timezone)) \
        if rnd.closes_at else None
    return Message(title=title(asked, reader), text="\n\n".join(lines), context=context, actions=actions)


def closed_message(asked: Asked, reader: Reader) -> Message:
    return Message(title=title(asked, reader), text=t(reader.locale, "pulse.closed"))


def team_answer_message(asked: Asked, reader: Reader, text: str) -> Message:
    return Message(title=t(reader.locale, "pulse.team_answer.title", team=asked.subject or ""),
                   text=t(reader.locale, "pulse.team_answer.body", ref=display_id(asked.pulse.id or 0),
                          team=asked.subject or "", text=text))


def answer_actions(rnd: PulseRound, index: int, receipt: str | None, locale: str) -> list[Action]:
    """One click per possible answer: 1–5, 0–10, or a button that opens a text box."""
    if index >= len(rnd.questions):
        return []
    kind = rnd.questions[index]["kind"]
    if kind == TEXT:
        return [_write(rnd, index, receipt, t(locale, "pulse.write"))]
    return [Action(id="pulse.answer", label=str(score), value=make("pulse.answer", ROUND, rnd.id, f"{index}:{score}:{receipt or ''}"))
            for score in SCORES[kind]]


def _change_actions(rnd: PulseRound, receipt: str, locale: str) -> list[Action]:
    actions = [Action(id="pulse.change", label=t(locale, "pulse.change", number=index + 1),
                      value=make("pulse.change", ROUND, rnd.id, f"{index}::{receipt}"))
               for index in range(len(rnd.questions))]
    if rnd.comment:
        actions.append(_write(rnd, COMMENT, receipt, t(locale, "pulse.add_comment")))
    return actions


def _write(rnd: PulseRound, index: int, receipt: str | None, label: str) -> Action:
    return Action(id="pulse.write", label=label, style="primary",
                  value=make("pulse.write", ROUND, rnd.id, f"{index}::{receipt or ''}"))


def _question_line(rnd: PulseRound, index: int, reader: Reader) -> str:
    question = rnd.questions[index]
    scale = {ENPS: "pulse.kind.enps", TEXT: "pulse.kind.text"}.get(question["kind"], "pulse.kind.scale")
    return f"{index + 1}. *{question['text']}* ({t(reader.locale, scale)})"


def _privacy(pulse: Pulse, locale: str) -> str:
    if pulse.anonymous:
        return t(locale, "pulse.anonymous", min_answers=pulse.min_answers)
    return t(locale, "pulse.not_anonymous")


def _until(rnd: PulseRound, reader: Reader) -> str | None:
    if rnd.closes_at is None:
        return None
    return t(reader.locale, "pulse.open_until", when=format_when(rnd.closes_at, reader.locale, reader.timezone))


def _shown(answer: Any) -> str:
    text = str(answer)
    return text if len(text) <= 200 else text[:199] + "…"
