"""Neutral messages as terminal text; actions become numbered choices."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import Action, Message


@dataclass
class ActionBoard:
    """Numbers every action shown so far, so ':3' presses the third button."""

    actions: list[Action] = field(default_factory=list)

    def number(self, action: Action) -> int:
        self.actions.append(action)
        return len(self.actions)

    def get(self, number: int) -> Action | None:
        return self.actions[number - 1] if 1 <= number <= len(self.actions) else None


def render(message: Message, board: ActionBoard, indent: str = "  ") -> list[str]:
    lines: list[str] = []
    if message.title:
        lines.append(f"{indent}┃ {message.title}")
    for text_line in message.text.splitlines():
        lines.append(f"{indent}┃ {text_line}")
    for fact in message.fields:
        values = fact.value.splitlines() or [""]
        lines.append(f"{indent}┃ {fact.label}: {values[0]}")
        lines.extend(f"{indent}┃     {value}" for value in values[1:])
    if message.context:
        lines.extend(f"{indent}┃ ({context_line})" for context_line in message.context.splitlines())
    if message.actions:
        buttons = "  ".join(f"[{board.number(action)}] {action.label}" for action in message.actions)
        lines.append(f"{indent}┗ {buttons}")
    return lines
