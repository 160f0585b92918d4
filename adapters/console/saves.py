"""Counts the transactions that changed something and were committed, so
that after a Ctrl-C the console can say whether the command saved anything.

Watched at the engine, below the domain: a command that only read, or whose
changes were rolled back (refused, a form with errors), counts nothing.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_WROTE = "pedir.console.wrote"
_CHANGES = ("INSERT", "UPDATE", "DELETE")


class SaveCounter:
    def __init__(self, engine: AsyncEngine | None = None) -> None:
        self.count = 0
        if engine is not None:
            sync_engine = engine.sync_engine
            event.listen(sync_engine, "after_cursor_execute", self._statement)
            event.listen(sync_engine, "commit", self._commit)
            event.listen(sync_engine, "rollback", self._rollback)

    def _statement(self, conn, _cursor, statement: str, *_rest) -> None:  # noqa: ANN001
        if statement.lstrip()[:6].upper() in _CHANGES:
            conn.info[_WROTE] = True

    def _commit(self, conn) -> None:  # noqa: ANN001
        if conn.info.pop(_WROTE, False):
            self.count += 1

    def _rollback(self, conn) -> None:  # noqa: ANN001
        conn.info.pop(_WROTE, None)
