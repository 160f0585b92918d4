"""Putting SigningKeys where botframework-connector 4.17.1 looks for signing keys.

There is no parameter for it: every validator (channel, emulator, skill,
government, enterprise) builds a JwtTokenExtractor inline, which takes the
keys object for its metadata URL from the class-level dict
``JwtTokenExtractor.metadataCache`` and only creates its own blocking one
when the URL is missing there. So the seam is that dict: filled first, once,
from the adapter's builder, for every URL the configured authentication can
ask for. No library code is replaced; a URL left out would fall back to the
blocking fetcher, which is why the list follows the library's own choices.
"""

from __future__ import annotations

from typing import Any

from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    GovernmentChannelValidation,
    GovernmentConstants,
    JwtTokenExtractor,
)

from adapters.teams.signing_keys import KeyPolicy, SigningKeys


def metadata_urls(configuration: Any) -> list[str]:
    """The OpenID metadata URLs token validation may fetch under this configuration."""
    urls = [
        # What the configuration sets (the parameterized path: tests, sovereign clouds).
        getattr(configuration, "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", None),
        getattr(configuration, "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL", None),
        # The built-in paths: public cloud (Pedir's default) and US government.
        ChannelValidation.open_id_metadata_endpoint,
        AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        GovernmentChannelValidation.OPEN_ID_METADATA_ENDPOINT,
        GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        GovernmentConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
    ]
    channel_service = getattr(configuration, "CHANNEL_SERVICE", None)
    if channel_service and channel_service != GovernmentConstants.CHANNEL_SERVICE:
        urls.append(AuthenticationConstants.TO_BOT_FROM_ENTERPRISE_CHANNEL_OPEN_ID_METADATA_URL_FORMAT.replace(
            "{channelService}", channel_service))
    return list(dict.fromkeys(url for url in urls if url))


def install_signing_keys(configuration: Any, policy: KeyPolicy) -> dict[str, SigningKeys]:
    """Fresh SigningKeys for each URL, replacing whatever the library cached for it."""
    installed = {url: SigningKeys(url, policy) for url in metadata_urls(configuration)}
    JwtTokenExtractor.metadataCache.update(installed)
    return installed
