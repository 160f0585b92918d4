"""A local TCP port nobody listens on (bound, then released): for a server a
test or a benchmark starts, or for a service that must look down."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
