"""Ctrl-C in the console: at a prompt it drops the line; during a command it waits.

asyncio.run's own SIGINT handler cancels the main task at whatever await it
has reached, which may be a commit: the request was saved, yet the console
crashed on CancelledError. While this handler is installed, a Ctrl-C during
a command is only noted; the command's transaction commits or rolls back
whole, and the session then says what was saved.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any


class PromptCancelled(Exception):
    """Ctrl-C at a prompt: the line being typed is dropped."""


class CtrlC:
    def __init__(self, on_wait: Callable[[], None] = lambda: None) -> None:
        # Called once per command, on the event loop, when a Ctrl-C has to wait.
        self.on_wait = on_wait
        self.pressed = False
        self._at_prompt = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> CtrlC:
        self._loop = asyncio.get_running_loop()
        try:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._installed = True
        except ValueError:  # not the main thread: Ctrl-C keeps its usual meaning
            pass
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
        self.pressed = False  # nothing is waiting any more: no late "waiting…" note

    def _on_sigint(self, _signum: int, _frame: FrameType | None) -> None:
        if self._at_prompt:
            raise KeyboardInterrupt  # out of input(), and only out of it
        if not self.pressed:
            self.pressed = True
            if self._loop is not None:
                # Not written from here: the handler may have interrupted a write.
                self._loop.call_soon_threadsafe(self._waiting)

    def _waiting(self) -> None:
        if self.pressed:  # still inside the command that was interrupted
            self.on_wait()

    def read(self, prompt: str) -> str | None:
        """input(), where Ctrl-C raises PromptCancelled and Ctrl-D gives None.
        Either leaves the cursor after the prompt: a newline puts what follows below it."""
        try:
            self._at_prompt = True
            try:
                if self.take():  # pressed on the way to the prompt: it was meant for it
                    raise KeyboardInterrupt
                return input(prompt)
            finally:
                self._at_prompt = False
        except KeyboardInterrupt:
            print(flush=True)
            raise PromptCancelled from None
        except EOFError:
            print(flush=True)
            return None

    def take(self) -> bool:
        """Whether Ctrl-C was pressed since the last call."""
        pressed, self.pressed = self.pressed, False
        return pressed
