"""Neutral messages: what the domain says, before any platform renders it.

Adapters render these as Block Kit, Adaptive Cards or console text; the
domain never builds a platform payload.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Action(BaseModel):
    """A button. `id` names the operation, `value` carries its small context."""

    id: str
    label: str
    value: str = ""
    style: Literal["primary", "danger", "default"] = "default"


# A fact whose value spans lines or runs past this is a list or a paragraph:
# renderers show it full width under its label, not squeezed into a column.
WIDE_FACT_CHARS = 100


class Fact(BaseModel):
    label: str
    value: str

    @property
    def wide(self) -> bool:
        value = self.value.strip()
        return "\n" in value or len(value) > WIDE_FACT_CHARS


class Message(BaseModel):
    text: str
    title: str | None = None
    fields: list[Fact] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    # Small print under the body (SLA state, timestamps).
    context: str | None = None
    # "home": a person's own page (Slack App Home), replaced whole on refresh.
    surface: Literal["message", "home"] = "message"
    # The reader's language, for the few words a renderer adds itself (Teams'
    # "Más…" button): set at delivery from the recipient, never stored.
    locale: str | None = None


class FormField(BaseModel):
    name: str
    label: str
    kind: Literal["text", "long_text", "choice", "date"] = "text"
    required: bool = False
    choices: list[tuple[str, str]] = Field(default_factory=list)  # (value, label)
    initial: str | None = None
    # Grey text in an empty field, in the reader's language ("2027-01-10, viernes, mañana…").
    placeholder: str | None = None


class Form(BaseModel):
    """An input form: a Slack modal, an Adaptive Card form, console prompts."""

    id: str
    title: str
    submit_label: str
    fields: list[FormField]
    # Opaque context echoed back on submission (e.g. the request id).
    context: str = ""


class Reply(BaseModel):
    """What the caller sees at once: a message, or a form to fill in."""

    message: Message | None = None
    form: Form | None = None
    # Field name -> error text, for inline validation of a submitted form.
    errors: dict[str, str] = Field(default_factory=dict)
    # A retried delivery that was already handled: adapters answer nothing.
    duplicate: bool = False
    # The request was refused (bad input, no permission): nothing changed.
    refused: bool = False
    # The message takes the place of the one whose button was pressed, where the
    # platform allows (a pulse question becomes its answer and its receipt).
    # Such a message is never stored: it goes straight back to the person.
    replace: bool = False

    @classmethod
    def text(cls, text: str) -> "Reply":
        return cls(message=Message(text=text))
