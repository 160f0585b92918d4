"""What a dispatcher round did with the rows it claimed."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    superseded: int = 0
    skipped: int = 0
    deferred: int = 0  # left uncalled for their turn on a rate-limited lane
    homes: int = 0  # home-page refreshes handled, whatever their outcome

    @property
    def handled(self) -> int:
        """Messages dealt with this round, whatever the outcome (home pages apart)."""
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "homes")

    def add(self, other: "DispatchReport") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def count(self, outcome: str, home: bool) -> None:
        """One row more with this outcome; a home-page refresh counts apart, whatever its outcome."""
        name = "homes" if home else outcome
        setattr(self, name, getattr(self, name) + 1)
