"""Errors a user caused and can fix: a catalog key plus values to fill in."""

from __future__ import annotations


class UserError(Exception):
    """Raised by services; the command layer answers it in the user's language."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
