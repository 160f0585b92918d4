"""The forms behind request buttons and an empty /pedir: what they ask and their initial values."""

from __future__ import annotations

from bot.i18n import t
from bot.interaction import NOTHING, make
from bot.messages import Form, FormField
from bot.requests.states import PRIORITIES, REQUEST, display_id
from storage.models import Person, Team

NEW = "request.new"


def new_request(locale: str | None, teams: list[Team], initial: dict[str, str] | None = None) -> Form:
    initial = initial or {}
    return Form(
        id=NEW,
        title=t(locale, "form.new.title"),
        submit_label=t(locale, "form.new.submit"),
        fields=[
            FormField(name="team", label=t(locale, "field.team"), kind="choice", required=True,
                      choices=[(team.slug, team.name) for team in teams], initial=initial.get("team")),
            FormField(name="description", label=t(locale, "field.description"), kind="long_text",
                      required=True, initial=initial.get("description")),
            FormField(name="customer", label=t(locale, "field.customer"), initial=initial.get("customer")),
            FormField(name="priority", label=t(locale, "field.priority"), kind="choice", required=True,
                      choices=[(p, t(locale, f"priority.{p}")) for p in PRIORITIES],
                      initial=initial.get("priority", "normal")),
            FormField(name="due", label=t(locale, "field.due"), kind="date", initial=initial.get("due"),
                      placeholder=t(locale, "form.due.placeholder")),
        ],
        context=make(NEW, NOTHING),
    )


def _single(locale: str | None, form_id: str, request_id: int, field: FormField) -> Form:
    name = form_id.split(".", 1)[1]
    return Form(
        id=form_id,
        title=t(locale, f"form.{name}.title", ref=display_id(request_id)),
        submit_label=t(locale, "action.send"),
        fields=[field],
        context=make(form_id, REQUEST, request_id),
    )


def text_form(locale: str | None, form_id: str, request_id: int, field: str, *, required: bool = True) -> Form:
    return _single(locale, form_id, request_id, FormField(
        name=field, label=t(locale, f"field.{field}"), kind="long_text", required=required))


def assign(locale: str | None, request_id: int, members: list[Person]) -> Form:
    return _single(locale, "request.assign", request_id, FormField(
        name="person", label=t(locale, "field.person"), kind="choice", required=True,
        choices=[(str(person.id), person.name) for person in members]))


def reassign(locale: str | None, request_id: int, teams: list[Team]) -> Form:
    form = _single(locale, "request.reassign", request_id, FormField(
        name="team", label=t(locale, "field.new_team"), kind="choice", required=True,
        choices=[(team.slug, team.name) for team in teams]))
    form.fields.append(FormField(name="reason", label=t(locale, "field.reason"), kind="long_text", required=True))
    return form
