"""Adaptive Cards as Teams hosts them: the action containers of a card, and
the verdict of Microsoft's own adaptivecards library (tests/cardcheck/, an
npm package run with Node.js; `make test` installs it).

Without Node.js or the package the library's checks are skipped on a
developer machine and fail in CI, like the PostgreSQL half of the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CARDCHECK = Path(__file__).resolve().parents[1] / "cardcheck"
LIBRARY = CARDCHECK / "node_modules" / "adaptivecards"


def action_containers(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Every list of actions Teams caps at maxActions: the card's, each ActionSet's, each ShowCard's card's."""
    found: list[list[dict[str, Any]]] = []
    for element in card.get("body", []):
        if element.get("type") == "ActionSet":
            found.append(element["actions"])
    if "actions" in card:
        found.append(card["actions"])
    for actions in list(found):
        for action in actions:
            if action["type"] == "Action.ShowCard":
                found += action_containers(action["card"])
    return found


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's Action.Submit buttons in reading order, those behind "Más…" where they stand."""
    ordered: list[dict[str, Any]] = []
    sets = [element["actions"] for element in card.get("body", []) if element.get("type") == "ActionSet"]
    for actions in [*sets, card.get("actions", [])]:
        for action in actions:
            ordered += submits(action["card"]) if action["type"] == "Action.ShowCard" else [action]
    return ordered


def official_verdicts(cards: list[dict[str, Any]]) -> list[list[str]]:
    """What the adaptivecards library reports for each card under Teams' host configuration ([] = nothing)."""
    node = shutil.which("node")
    if node is None or not LIBRARY.is_dir():
        reason = ("Adaptive Cards library not installed: needs Node.js and "
                  f"`npm ci --prefix {CARDCHECK}` (make test runs it)")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    done = subprocess.run([node, "check.js"], cwd=CARDCHECK, input=json.dumps(cards), capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)
