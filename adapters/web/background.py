"""Work that runs after an answer was sent, and that shutdown waits for.

An acknowledged request has its input stored already; what runs here only
shows something (an ephemeral reply, a modal). Shutdown still gives it a
bounded time to finish, so a deploy does not cut a reply short.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str = "after-ack") -> None:
        task = asyncio.create_task(work, name=name)
        self.track(task)
        task.add_done_callback(self._log_failure)

    def track(self, task: asyncio.Task[Any]) -> None:
        """Counts a task started elsewhere (its failures are its starter's to report)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _log_failure(task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # The class only: the exception's text may quote what the user wrote.
            log.error("%s failed: %s", task.get_name(), task.exception().__class__.__name__)

    async def wait(self, timeout: float) -> int:
        """Waits for every task (new ones included) up to `timeout`; returns how many were left."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        return len(self._tasks)
