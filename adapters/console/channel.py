"""The console as a delivery channel: every person and team is reachable here."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from adapters.console.render import ActionBoard, render
from bot.delivery.channel import DeliveryFailed
from bot.delivery.lanes import Lane
from bot.messages import Message
from storage.models import Person, PlatformAccount, Team


class ConsoleChannel:
    platform = "console"
    home_page = False  # the demo shows what people are sent, not their pages

    def __init__(self, write: Callable[[str], None], board: ActionBoard) -> None:
        self.write = write
        self.board = board
        self._ids = count(1)
        # Last text of each posted message, so an edit prints only what changed.
        self._shown: dict[str, Message] = {}

    def address_person(self, person: Person, accounts: list[PlatformAccount]) -> str | None:
        label = person.email or f"id {person.id}"
        return f"DM {person.name} <{label}>"

    def address_team(self, team: Team) -> str | None:
        return f"#{team.slug}"

    async def send(self, address: str, message: Message, thread_id: str | None) -> str:
        message_id = f"m{next(self._ids)}"
        where = f"{address} (hilo de {thread_id})" if thread_id else address
        self._emit(f"→ {where} [{message_id}]", message)
        self._shown[message_id] = message
        return message_id

    async def update(self, address: str, external_id: str, message: Message) -> str:
        before = self._shown.get(external_id)
        self._shown[external_id] = message
        if before is not None:
            message = changes(before, message)
        self._emit(f"✎ {address} [{external_id} actualizado]", message)
        return external_id

    async def publish_home(self, address: str, message: Message) -> None:
        raise DeliveryFailed("the console has no home page")

    def lanes(self, kind: str, address: str) -> tuple[Lane, ...]:
        return ()  # a terminal has no rate limits

    def _emit(self, header: str, message: Message) -> None:
        self.write(header)
        for line in render(message, self.board):
            self.write(line)


def changes(before: Message, after: Message) -> Message:
    """The edited card as the reader needs it: title, changed fields, state, buttons."""
    old = {(fact.label, fact.value) for fact in before.fields}
    return after.model_copy(update={
        "text": "" if after.text == before.text else after.text,
        "fields": [fact for fact in after.fields if (fact.label, fact.value) not in old],
    })
