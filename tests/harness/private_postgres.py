"""A PostgreSQL server of a test's own, which the test may stop and start.

The shared server on 127.0.0.1:5432 holds every other test's databases: a
test that restarts a database server gets one here instead, made with the
installed PostgreSQL's own initdb and pg_ctl in a temporary folder, on a
free port, with trust authentication on loopback only. PostgreSQL refuses
to run as root: as root, the folder is handed to the `postgres` system user
and every command runs as that user (runuser).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.harness.ports import free_port

SYSTEM_USER = "postgres"
DATABASE = "pedir"


class NoPostgresBinaries(RuntimeError):
    """No initdb/pg_ctl under /usr/lib/postgresql/*/bin."""


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise NoPostgresBinaries("no /usr/lib/postgresql/*/bin/pg_ctl: install the PostgreSQL server")
    return Path(found[-1]).parent


class PrivatePostgres:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data, self.sockets = folder / "data", folder / "sockets"
        self.bin = binaries()
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *command: str, timeout: float = 60) -> None:
        argv = [str(self.bin / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", SYSTEM_USER, "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, text=True, timeout=timeout, cwd=self.folder)

    def create(self) -> None:
        self.sockets.mkdir()
        if self.as_root:
            shutil.chown(self.folder, SYSTEM_USER)
            shutil.chown(self.sockets, SYSTEM_USER)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: the server ends every session (rolling back what is open) and exits."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running server with an empty database `pedir`; removed afterwards."""
    server = PrivatePostgres(Path(tempfile.mkdtemp(prefix="pedir-pg-")), free_port())
    try:
        server.create()
        yield server
    finally:
        server.destroy()
