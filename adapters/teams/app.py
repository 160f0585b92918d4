"""Building the botbuilder CloudAdapter and the /api/messages handler from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from adapters.teams.bot import PedirTeamsBot
from adapters.teams.install_keys import install_signing_keys
from adapters.teams.signing_keys import KeyPolicy
from bot.app import Pedir
from bot.config import Settings

log = logging.getLogger(__name__)


def configuration(settings: Settings, **overrides: Any) -> SimpleNamespace:
    """The attribute-style configuration botbuilder reads (APP_ID, APP_PASSWORD, ...)."""
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else ""
    return SimpleNamespace(
        APP_ID=settings.microsoft_app_id or "",
        APP_PASSWORD=password,
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
        **overrides,
    )


def cloud_adapter(settings: Settings, *, credentials_factory: Any = None, key_policy: KeyPolicy | None = None,
                  **overrides: Any) -> CloudAdapter:
    """The adapter; `overrides` are botbuilder configuration attributes (tests point the
    OpenID metadata URLs at a stand-in), `key_policy` how signing keys are fetched."""
    config = configuration(settings, **overrides)
    # Before the first request: botframework-connector would otherwise fetch signing
    # keys on the event loop, without a timeout (see install_keys.py for the seam).
    install_signing_keys(config, key_policy or KeyPolicy())
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials_factory)
    adapter = CloudAdapter(auth)

    async def on_error(turn_context: TurnContext, error: Exception) -> None:
        # The class only: an exception's text can quote the user's message.
        log.error("teams turn failed: %s", error.__class__.__name__)

    adapter.on_turn_error = on_error
    return adapter


def messages_handler(adapter: CloudAdapter, bot: PedirTeamsBot, authenticated: bool) -> Callable:
    async def api_messages(request: web.Request) -> web.Response:
        if authenticated and not request.headers.get("Authorization", "").strip():
            raise web.HTTPUnauthorized()
        try:
            response = await adapter.process(request, bot)
        except web.HTTPException:
            raise
        except Exception as exc:  # noqa: BLE001
            # The turn's own errors never get here (on_turn_error takes them):
            # what escapes is botbuilder 4.17.1 failing to read a token (a
            # malformed JWT, a bad signature, a bad endorsement), which it
            # would answer with a 500. A bad token is the caller's fault.
            log.warning("teams: request refused: %s", exc.__class__.__name__)
            raise web.HTTPUnauthorized() from None
        return response or web.Response(status=201)

    return api_messages


def build(settings: Settings, pedir: Pedir, kick_delivery: Callable[[], None], **adapter_options: Any):  # noqa: ANN201
    adapter = cloud_adapter(settings, **adapter_options)
    bot = PedirTeamsBot(pedir, kick_delivery)
    return adapter, bot, messages_handler(adapter, bot, authenticated=bool(settings.microsoft_app_id))
