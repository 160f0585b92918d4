"""Teams on the wire, as a person installing Pedir sees it: one welcome per
installation, in the installer's language; and the team's card, whose
seventh button waits behind "Más…" instead of vanishing."""

from __future__ import annotations

from typing import Any

from adapters.teams.cards import CONTENT_TYPE
from tests.harness import teams_wire as wire
from tests.harness.cardcheck import official_verdicts, submits
from tests.harness.teams_env import ANA_T, SISTEMAS_CHANNEL, TeamsEnv, fake_connector_running, teams  # noqa: F401

JAMES_T = ("29:1james", "aad-james", "James Whitaker", "james.whitaker@example.com")  # locale "en" in the org file
OUTSIDER_T = ("29:1nadie", "aad-nadie", "Nadie", "nadie@example.com")  # unknown to Pedir
WELCOME_ES = "¡Hola! Soy Pedir"
WELCOME_EN = "Hi! I'm Pedir"


def personal(who: tuple[str, str, str, str]) -> dict[str, Any]:
    user_id, aad, name, _email = who
    return dict(user_id=user_id, aad_object_id=aad, user_name=name, conversation_id=f"a:personal-{user_id}")


def welcomes(env: TeamsEnv, conversation: str) -> list[str]:
    return [c.json.get("text") or "" for c in env.connector.calls_to("send")
            if c.conversation_id == conversation and "Pedir" in (c.json.get("text") or "")]


async def post_ok(env: TeamsEnv, activity: dict[str, Any]) -> None:
    status, _ = await env.post(activity)
    assert status in (200, 201), status


async def test_an_install_announced_twice_welcomes_once_in_the_language_pedir_knows(teams):  # noqa: F811
    teams.connector.add_member(JAMES_T[1], JAMES_T[0], JAMES_T[2], JAMES_T[3], JAMES_T[3], wire.TENANT_ID)
    url = teams.connector.service_url
    # His Teams client is in Spanish; the organisation file says James reads English.
    await post_ok(teams, wire.installation_update("add", "personal", service_url=url, locale="es-ES",
                                                  **personal(JAMES_T)))
    await post_ok(teams, wire.conversation_update_bot_added("personal", service_url=url, locale="es-ES",
                                                            **personal(JAMES_T)))
    [hello] = welcomes(teams, f"a:personal-{JAMES_T[0]}")
    assert hello.startswith(WELCOME_EN)


async def test_a_stranger_is_welcomed_once_in_their_teams_language(teams):  # noqa: F811
    url = teams.connector.service_url
    await post_ok(teams, wire.installation_update("add", "personal", service_url=url, locale="en-US",
                                                  **personal(OUTSIDER_T)))
    # Teams' conversationUpdate often carries no locale: no second hello, in Spanish or otherwise.
    update = wire.conversation_update_bot_added("personal", service_url=url, **personal(OUTSIDER_T))
    update.pop("locale")
    await post_ok(teams, update)
    assert welcomes(teams, f"a:personal-{OUTSIDER_T[0]}") == [welcomes(teams, f"a:personal-{OUTSIDER_T[0]}")[0]]
    assert welcomes(teams, f"a:personal-{OUTSIDER_T[0]}")[0].startswith(WELCOME_EN)


async def test_a_team_is_welcomed_once_per_installation(teams):  # noqa: F811
    url = teams.connector.service_url
    channel = dict(team_id=wire.TEAM_ID, user_id=ANA_T[0], aad_object_id=ANA_T[1], user_name=ANA_T[2])
    await post_ok(teams, wire.conversation_update_bot_added("team", service_url=url, **channel))
    await post_ok(teams, wire.installation_update("add", "team", service_url=url, **channel))
    assert [w[:len(WELCOME_ES)] for w in welcomes(teams, wire.TEAM_ID)] == [WELCOME_ES]
    # Removed, then added again: a new installation, a new hello.
    await post_ok(teams, wire.installation_update("remove", "team", service_url=url, **channel))
    await post_ok(teams, wire.installation_update("add", "team", service_url=url, **channel))
    await post_ok(teams, wire.conversation_update_bot_added("team", service_url=url, **channel))
    assert len(welcomes(teams, wire.TEAM_ID)) == 2


async def test_the_team_card_keeps_its_seventh_button_behind_mas_and_it_still_works(teams):  # noqa: F811
    await teams.install_in_channel()
    await post_ok(teams, teams.personal(ANA_T, "pedir @sistemas la VPN se corta cada hora"))
    sends = await teams.connector.wait_for_calls("send", 4, timeout=10)
    [call] = [c for c in sends if c.conversation_id.startswith(SISTEMAS_CHANNEL) and "PED-1" in str(c.json)]
    [attachment] = call.json["attachments"]
    assert attachment["contentType"] == CONTENT_TYPE
    card = attachment["content"]
    *shown, more = card["actions"]
    assert len(shown) == 5 and more["type"] == "Action.ShowCard" and more["title"] == "Más…"
    assert [a["title"] for a in more["card"]["actions"]] == ["Reasignar", "Comentar"]
    assert official_verdicts([card]) == [[]]
    # "Comentar", pressed from inside "Más…", opens the comment form in Teams.
    [comment] = [s for s in submits(card) if s["title"] == "Comentar"]
    before = len(teams.connector.calls_to("send"))
    await post_ok(teams, teams.click(ANA_T, comment["data"], channel_root=call.response["id"]))
    answer = (await teams.connector.wait_for_calls("send", before + 1, timeout=10))[before:]
    assert any("request.comment" in str(c.json) and "pedir_form" in str(c.json) for c in answer)
