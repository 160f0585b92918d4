"""manifest.json: a valid Slack app manifest that declares what the code uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.slack.listeners import BOT_EVENTS, BOT_SCOPES, CONVERT_SHORTCUT
from adapters.slack.manifest import build_manifest, render
from bot.domains import REGISTRY

MANIFEST = json.loads((Path(__file__).resolve().parents[1] / "manifest.json").read_text(encoding="utf-8"))
EVENTS_PATH = "/slack/events"  # the one route of adapters/web/server.py for all of Slack


def test_has_the_fields_slack_requires():
    info = MANIFEST["display_information"]
    assert 0 < len(info["name"]) <= 35
    assert len(info.get("description", "")) <= 140
    assert 174 <= len(info.get("long_description", "x" * 174)) <= 4000
    assert MANIFEST["features"]["bot_user"]["display_name"]
    assert MANIFEST["oauth_config"]["scopes"]["bot"]
    settings = MANIFEST["settings"]
    assert settings["interactivity"]["is_enabled"] is True
    assert isinstance(settings["socket_mode_enabled"], bool)
    assert settings["event_subscriptions"]["bot_events"]


def test_every_url_points_at_the_events_route():
    settings = MANIFEST["settings"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    urls += [command["url"] for command in MANIFEST["features"]["slash_commands"]]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)


def test_declares_every_command_the_code_registers_and_no_other():
    declared = [command["command"] for command in MANIFEST["features"]["slash_commands"]]
    assert sorted(declared) == sorted(REGISTRY.slash_commands())


@pytest.mark.parametrize("command", MANIFEST["features"]["slash_commands"], ids=lambda c: c["command"])
def test_slash_commands_are_within_slack_limits(command):
    assert command["command"].startswith("/") and len(command["command"]) <= 32
    assert 0 < len(command["description"]) <= 2000
    assert len(command.get("usage_hint", "")) <= 1000


def test_declares_the_message_shortcut():
    [shortcut] = MANIFEST["features"]["shortcuts"]
    assert shortcut["type"] == "message"
    assert shortcut["callback_id"] == CONVERT_SHORTCUT
    assert 0 < len(shortcut["name"]) <= 24 and 0 < len(shortcut["description"]) <= 150


def test_subscribes_to_exactly_the_events_the_listeners_handle():
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == sorted(BOT_EVENTS)


def test_asks_for_the_scopes_actually_used_and_no_others():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_committed_manifest_is_the_one_the_code_builds():
    # `pedir manifest slack` rewrites manifest.json after a command is declared.
    path = Path(__file__).resolve().parents[1] / "manifest.json"
    assert path.read_text(encoding="utf-8") == render(build_manifest())


def test_app_home_tab_is_on():
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] is True and home["messages_tab_enabled"] is True
