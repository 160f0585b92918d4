"""What the README says about the Slack app and the command line is what exists."""

from __future__ import annotations

import json
import re

from adapters.cli import build_parser
from bot.config import Settings
from tests.harness.cli import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
SLASH = {command["command"] for command in MANIFEST["features"]["slash_commands"]}


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_no_table_is_split_by_a_blank_line():
    lines = README.splitlines()
    for n in range(1, len(lines) - 1):
        assert not (lines[n] == "" and lines[n - 1].startswith("|") and lines[n + 1].startswith("|")), n + 1


def test_the_slack_section_names_every_slash_command_of_the_manifest_and_its_events():
    slack = section("Slack")
    assert {m for m in re.findall(r"`(/[a-z]+)`", slack.split("2. **Install it**")[0])} == SLASH
    assert "eight slash" in slack and len(SLASH) == 8
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        assert f"`{event}`" in slack, event
    assert "`groups:history`" in slack and "groups:history" in MANIFEST["oauth_config"]["scopes"]["bot"]


def test_every_command_written_with_a_slash_is_one_slack_declares():
    commands = section("Commands") + section("Pulse surveys")
    written = set(re.findall(r"`(/[a-z]+)[ `]", commands))
    assert written and written <= SLASH, written - SLASH


def test_every_setting_is_in_the_configuration_table():
    table = section("Configuration")
    for field in Settings.model_fields.values():
        assert f"`{field.validation_alias}`" in table, field.validation_alias


def test_every_command_line_command_is_in_its_table():
    table = section("Command line")
    commands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001  (argparse keeps them there)
    for name in commands:
        assert f"`pedir {name}" in table, name
    assert "`pedir --version`" in table and "`MICROSOFT_APP_ID`" in table
    assert "## Running in production" in README
