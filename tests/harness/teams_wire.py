"""Activity JSON as Microsoft Teams posts it to a bot's /api/messages.

Shapes follow the Teams docs' examples (conversation basics, channel and
group chat, conversation events, Universal Actions): every builder returns a
plain ``dict`` in wire format (camelCase, ``from``/``recipient``/
``conversation``, ``channelData``), with ``id``, ``timestamp``,
``localTimestamp``, ``serviceUrl``, ``channelId: "msteams"``, ``locale`` and
the clientInfo entity. Pass ``service_url=fake_connector.service_url`` so
replies reach the stand-in.

    activity = personal_message("hola", service_url=fake.service_url, locale="es-ES")
    status, body = await post_activity(session, f"{bot_url}/api/messages", activity, token)
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import aiohttp

BOT_APP_ID = "6f1c2a4e-3b5d-4e7f-9a8b-1c2d3e4f5a6b"
BOT_NAME = "Pedir"
TENANT_ID = "8d5e0c3a-2f41-4b7e-9c6d-0a1b2c3d4e5f"
USER_ID = "29:1ana"
USER_AAD_ID = "a1b2c3d4-0000-4000-8000-00000000a0a0"
USER_NAME = "Ana García"
PERSONAL_CONVERSATION_ID = "a:1personal"
TEAM_ID = "19:team-general@thread.tacv2"
CHANNEL_ID = "19:abc@thread.tacv2"
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/amer/"
MESSAGE = "message"

_ids = itertools.count(1_710_000_000_000)


def new_activity_id() -> str:
    """Teams activity ids are epoch-millis strings."""
    return str(next(_ids))


def bot_id(app_id: str = BOT_APP_ID) -> str:
    return f"28:{app_id}"


def at_bot(bot_name: str = BOT_NAME) -> str:
    return f"<at>{bot_name}</at>"


def mention_entity(app_id: str = BOT_APP_ID, bot_name: str = BOT_NAME) -> dict[str, Any]:
    return {"type": "mention", "mentioned": {"id": bot_id(app_id), "name": bot_name}, "text": at_bot(bot_name)}


def _client_info(locale: str) -> dict[str, Any]:
    country = locale.split("-")[-1] if "-" in locale else ""
    return {"type": "clientInfo", "locale": locale, "country": country, "platform": "Web", "timezone": "Europe/Madrid"}


def _base(
    type_: str,
    *,
    conversation: dict[str, Any],
    channel_data: dict[str, Any],
    user_id: str,
    aad_object_id: str,
    user_name: str,
    tenant_id: str,
    service_url: str,
    locale: str,
    app_id: str,
    bot_name: str,
    activity_id: str | None,
    timestamp: dt.datetime | None,
) -> dict[str, Any]:
    when = timestamp or dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    utc = when.astimezone(dt.timezone.utc)
    channel_data = {**channel_data, "tenant": {"id": tenant_id}}
    return {
        "type": type_,
        "id": activity_id or new_activity_id(),
        "timestamp": utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z",
        "localTimestamp": when.isoformat(timespec="milliseconds"),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": user_name, "aadObjectId": aad_object_id},
        "conversation": {**conversation, "tenantId": tenant_id},
        "recipient": {"id": bot_id(app_id), "name": bot_name},
        "entities": [_client_info(locale)],
        "channelData": channel_data,
        "locale": locale,
        "localTimezone": "Europe/Madrid",
    }


def _personal_conversation(conversation_id: str) -> dict[str, Any]:
    return {"conversationType": "personal", "id": conversation_id}


def _channel_conversation(channel_id: str, root_id: str) -> dict[str, Any]:
    return {"isGroup": True, "conversationType": "channel", "id": f"{channel_id};messageid={root_id}"}


def _team_channel_data(team_id: str, channel_id: str, team_name: str | None, aad_group_id: str | None) -> dict[str, Any]:
    team: dict[str, Any] = {"id": team_id}
    if team_name:
        team["name"] = team_name
    if aad_group_id:
        team["aadGroupId"] = aad_group_id
    return {"teamsTeamId": team_id, "teamsChannelId": channel_id, "team": team, "channel": {"id": channel_id}}


def personal_message(
    text: str,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    *,
    user_name: str = USER_NAME,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
    reply_to_id: str | None = None,
) -> dict[str, Any]:
    """A 1:1 chat message from a user to the bot."""
    activity = _base(
        MESSAGE,
        conversation=_personal_conversation(conversation_id),
        channel_data={},
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    activity.update({"text": text, "textFormat": "plain", "attachments": []})
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def channel_message(
    text_with_mention: str,
    team_id: str = TEAM_ID,
    channel_id: str = CHANNEL_ID,
    *,
    reply_to_id: str | None = None,
    mention: bool = True,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    user_name: str = USER_NAME,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    team_name: str | None = "Operaciones",
    aad_group_id: str | None = None,
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """A channel post (or, with ``reply_to_id``, a reply in that post's thread) @mentioning the bot.

    ``<at>Pedir</at> `` is prepended when ``mention`` and the text lacks it.
    A new post's conversation.id is ``<channel>;messageid=<its own id>``; a
    reply's is ``<channel>;messageid=<root id>`` with ``replyToId`` = root id.
    """
    activity_id = activity_id or new_activity_id()
    root_id = reply_to_id or activity_id
    activity = _base(
        MESSAGE,
        conversation=_channel_conversation(channel_id, root_id),
        channel_data=_team_channel_data(team_id, channel_id, team_name, aad_group_id),
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    text = text_with_mention
    if mention:
        if at_bot(bot_name) not in text:
            text = f"{at_bot(bot_name)} {text}"
        activity["entities"].insert(0, mention_entity(app_id, bot_name))
    activity.update({"text": text, "textFormat": "plain", "attachments": []})
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def conversation_update_bot_added(
    scope: str = "team",
    *,
    team_id: str = TEAM_ID,
    channel_id: str | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    user_name: str = USER_NAME,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    team_name: str | None = "Operaciones",
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """conversationUpdate with membersAdded = the bot (scope "team" or "personal")."""
    if scope == "team":
        channel = channel_id or team_id  # the General channel shares the team id
        conversation = {"isGroup": True, "conversationType": "channel", "id": channel}
        channel_data = {**_team_channel_data(team_id, channel, team_name, None), "eventType": "teamMemberAdded"}
    elif scope == "personal":
        conversation = _personal_conversation(conversation_id)
        channel_data = {}
    else:
        raise ValueError(f"scope must be 'team' or 'personal', not {scope!r}")
    activity = _base(
        "conversationUpdate",
        conversation=conversation,
        channel_data=channel_data,
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    activity["membersAdded"] = [{"id": bot_id(app_id)}]
    return activity


def installation_update(
    action: str = "add",
    scope: str = "personal",
    *,
    team_id: str = TEAM_ID,
    channel_id: str | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    user_name: str = USER_NAME,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """installationUpdate (action "add"/"remove"), personal or team scope."""
    if scope == "team":
        channel = channel_id or team_id
        conversation = {"isGroup": True, "conversationType": "channel", "id": channel}
        channel_data = {**_team_channel_data(team_id, channel, None, None), "settings": {"selectedChannel": {"id": channel}}}
    elif scope == "personal":
        conversation = _personal_conversation(conversation_id)
        channel_data = {}
    else:
        raise ValueError(f"scope must be 'team' or 'personal', not {scope!r}")
    channel_data["source"] = {"name": "message"}
    activity = _base(
        "installationUpdate",
        conversation=conversation,
        channel_data=channel_data,
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    activity["action"] = action
    return activity


def submit_as_message(
    value: dict[str, Any],
    *,
    reply_to_id: str | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    user_name: str = USER_NAME,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """An Adaptive Card Action.Submit: a message with ``value`` and no text.

    ``reply_to_id`` is the id of the message that carried the card.
    """
    activity = _base(
        MESSAGE,
        conversation=_personal_conversation(conversation_id),
        channel_data={"source": {"name": "message"}, "legacy": {"replyToId": reply_to_id or ""}},
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    activity["value"] = value
    activity["textFormat"] = "plain"
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def invoke_adaptive_card_action(
    data: dict[str, Any],
    verb: str = "submit",
    *,
    action_id: str | None = None,
    reply_to_id: str | None = None,
    conversation_id: str = PERSONAL_CONVERSATION_ID,
    user_id: str = USER_ID,
    aad_object_id: str = USER_AAD_ID,
    user_name: str = USER_NAME,
    tenant_id: str = TENANT_ID,
    service_url: str = DEFAULT_SERVICE_URL,
    locale: str = "es-ES",
    app_id: str = BOT_APP_ID,
    bot_name: str = BOT_NAME,
    activity_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> dict[str, Any]:
    """An Universal Actions ``adaptiveCard/action`` invoke (Action.Execute, trigger manual)."""
    activity = _base(
        "invoke",
        conversation=_personal_conversation(conversation_id),
        channel_data={"source": {"name": "message"}},
        user_id=user_id,
        aad_object_id=aad_object_id,
        user_name=user_name,
        tenant_id=tenant_id,
        service_url=service_url,
        locale=locale,
        app_id=app_id,
        bot_name=bot_name,
        activity_id=activity_id,
        timestamp=timestamp,
    )
    action: dict[str, Any] = {"type": "Action.Execute", "verb": verb, "data": data}
    if action_id:
        action["id"] = action_id
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {"action": action, "trigger": "manual"}
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


async def post_activity(
    session: aiohttp.ClientSession,
    url: str,
    activity: dict[str, Any],
    token: str | None = None,
    *,
    authorization: str | None = None,
) -> tuple[int, Any]:
    """POST an activity as the channel does; return (status, parsed JSON or text).

    ``token`` is sent as ``Authorization: Bearer <token>``; ``authorization``
    sets the raw header instead (for malformed-header tests).
    """
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with session.post(url, json=activity, headers=headers) as response:
        text = await response.text()
        if response.content_type == "application/json" and text:
            return response.status, await response.json()
        return response.status, text
