"""`pedir chat` at a real (pseudo) terminal, typed at as a person would.

The console's process gets the terminal as its controlling terminal, so a
typed ^C goes through the line discipline as at a keyboard: it drops the
half-typed line and sends SIGINT to the console, and ^D ends the input.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import sqlite3
import subprocess
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

# After the console has read a line, time for it to leave input() and start
# the command. Generous: the machine running the tests may be busy.
SETTLE_SECONDS = 1.0
# Where Linux shows a process asleep in read() on a terminal (/proc/PID/wchan).
_TERMINAL_READ = ("wait_woken", "n_tty_read")


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, args: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.master, self.slave = pty.openpty()
        self.proc = subprocess.Popen(
            args, stdin=self.slave, stdout=self.slave, stderr=self.slave, env=env, cwd=cwd,
            start_new_session=True, preexec_fn=_take_terminal,
        )
        self.transcript = ""
        self._seen = 0  # how much of the transcript earlier expect() calls returned

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self.master)
        os.close(self.slave)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the console exited and closed its end
            return False
        self.transcript += chunk.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return bool(chunk)

    def expect(self, text: str, timeout: float = 90) -> str:
        """Output up to and including `text`, from where the last expect stopped."""
        deadline = time.monotonic() + timeout
        while (found := self.transcript.find(text, self._seen)) < 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in:\n{self.transcript[self._seen:]}")
            if not self._read(0.2) and self.proc.poll() is not None:
                raise AssertionError(f"exited {self.proc.returncode} before {text!r}:\n{self.transcript}")
        start, self._seen = self._seen, found + len(text)
        return self.transcript[start:self._seen]

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode("utf-8"))

    def enter(self, line: str) -> None:
        """Types a line and waits until the console has read it."""
        self.type(line + "\n")
        deadline = time.monotonic() + 30
        while self._unread() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(SETTLE_SECONDS)

    def settle(self) -> None:
        """Waits until the console sleeps in read() on the terminal. CPython writes
        the prompt, then reads: a ^C that falls between the two is only seen at
        the next key, which no person can type that fast, but a test can."""
        deadline = time.monotonic() + SETTLE_SECONDS * 5
        while time.monotonic() < deadline:
            try:
                wchan = Path(f"/proc/{self.proc.pid}/wchan").read_text().strip()
            except OSError:
                break
            if wchan in _TERMINAL_READ:
                return
            time.sleep(0.05)
        time.sleep(SETTLE_SECONDS)  # no /proc to ask: give it time instead

    def ctrl_c(self) -> None:
        self.type("\x03")

    def ctrl_d(self) -> None:
        self.type("\x04")

    def finish(self, timeout: float = 60) -> int:
        """Waits for the console to exit; the rest of its output joins the transcript."""
        code = self.proc.wait(timeout)
        while self._read(0.2):
            pass
        return code

    def _unread(self) -> int:
        waiting = fcntl.ioctl(self.slave, termios.FIONREAD, b"\0\0\0\0")
        return int.from_bytes(waiting, "little")


@contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    """Holds the SQLite write lock: the console's next command then waits inside
    its transaction (its busy timeout is 5 s) until the block ends."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()
