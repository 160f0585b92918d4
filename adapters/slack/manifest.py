"""manifest.json, built from what the code declares: the registry's slash
commands, and the events, scopes and shortcut the listeners use.

`pedir manifest slack` writes it; a test checks the committed file matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.slack.listeners import BOT_EVENTS, BOT_SCOPES, CONVERT_SHORTCUT
from bot.commands.registry import Registry
from bot.domains import REGISTRY

DEFAULT_HOST = "https://pedir.example.com"
EVENTS_PATH = "/slack/events"  # adapters/web/server.py: one route for all of Slack
DESCRIPTION = "Pedidos entre equipos, con dueño, SLA y valoración, donde ya habláis."
LONG_DESCRIPTION = (
    "Pedir convierte cada petición entre departamentos en un pedido con seguimiento: llega a la cola del "
    "equipo correcto, tiene un responsable y un SLA en horario laboral, ambos lados ven la misma ficha y "
    "conversan en su hilo, y al final quien lo pidió valora el servicio. Escribe /pedir @equipo qué "
    "necesitas, o /pedir ayuda."
)


def build_manifest(registry: Registry = REGISTRY, host: str = DEFAULT_HOST) -> dict[str, Any]:
    url = host.rstrip("/") + EVENTS_PATH
    commands = []
    for command in registry.commands:
        if not command.slash:
            continue
        entry = {"command": command.slash, "url": url, "description": command.description}
        if command.usage_hint:
            entry["usage_hint"] = command.usage_hint
        commands.append(entry | {"should_escape": False})
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Pedir", "description": DESCRIPTION, "long_description": LONG_DESCRIPTION,
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "Pedir", "always_online": True},
            "shortcuts": [{
                "name": "Convertir en pedido", "type": "message", "callback_id": CONVERT_SHORTCUT,
                "description": "Crea un pedido a otro equipo a partir de este mensaje",
            }],
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"request_url": url, "bot_events": sorted(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, "request_url": url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def write_manifest(path: Path, host: str = DEFAULT_HOST) -> None:
    path.write_text(render(build_manifest(host=host)), encoding="utf-8")
