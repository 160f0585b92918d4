"""A test that sets up Pedir's logging (adapters/logs.py) leaves the root logger as it found it."""

from __future__ import annotations

import logging

import pytest

from adapters import logs


@pytest.fixture
def restore_logging():  # noqa: ANN201
    """The root logger's handlers and level, and the chatty libraries' levels, put back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in (*logs.CHATTY, *logs.SILENCED)}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)
