"""The Microsoft Teams app package: manifest.json and its two icons, zipped.

`pedir manifest teams --out pedir-teams.zip` writes the file an admin uploads
in Teams (Apps → Manage your apps → Upload an app). The icons are drawn here,
with zlib and struct, so building the package needs no image library.
"""

from __future__ import annotations

import json
import re
import struct
import uuid
import zipfile
import zlib
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from bot.commands.registry import Registry
from bot.domains import REGISTRY

SCHEMA_URL = "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
DEFAULT_HOST = "https://pedir.example.com"
BRAND_COLOR = "#1D3557"
SCOPES = ["personal", "team", "groupChat"]

# Limits of the Teams manifest schema.
SHORT_NAME_MAX = 30
FULL_NAME_MAX = 100
SHORT_DESCRIPTION_MAX = 80
FULL_DESCRIPTION_MAX = 4000
COMMAND_TITLE_MAX = 32
COMMAND_DESCRIPTION_MAX = 128
COMMANDS_PER_LIST_MAX = 10

COLOR_ICON_SIZE = 192
OUTLINE_ICON_SIZE = 32

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_SEMVER_PREFIX = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def _package_version() -> str:
    """The installed version as MAJOR.MINOR.PATCH: the schema allows nothing else."""
    try:
        found = metadata.version("pedir")
    except metadata.PackageNotFoundError:
        return "0.1.0"
    match = _SEMVER_PREFIX.match(found)  # "0.2.0.dev3" or "1.4" -> "0.2.0", "1.4.0"
    if not match:
        return "0.1.0"
    major, minor, patch = match.groups()
    return f"{int(major)}.{int(minor)}.{int(patch or 0)}"


PACKAGE_VERSION = _package_version()


def command_menu(registry: Registry) -> list[dict[str, str]]:
    """Pedir's text commands as a Teams user types them after mentioning the
    bot: the menu each domain declares (bot.domains), at most 10 a list."""
    menu = [{"title": entry.title, "description": entry.description}
            for command in registry.commands for entry in command.menu]
    if len(menu) > COMMANDS_PER_LIST_MAX:
        raise ValueError(f"{len(menu)} commands in the Teams menu; at most {COMMANDS_PER_LIST_MAX}")
    return menu


SHORT_DESCRIPTION = "Pedidos entre equipos, con dueño, SLA y valoración, donde ya habláis."
FULL_DESCRIPTION = (
    "Pedir convierte cada petición entre departamentos en un pedido con seguimiento: llega a la "
    "cola del equipo correcto, tiene un responsable y un SLA en horario laboral, ambos lados ven "
    "la misma ficha y conversan en su hilo, y al final quien lo pidió valora el servicio. "
    "Menciona a Pedir y escribe «pedir @equipo qué necesitas», o «pedir ayuda» para ver todos "
    "los comandos."
)


def _app_id(app_id: str | None) -> str:
    if not app_id or not app_id.strip():
        raise ValueError(
            "MICROSOFT_APP_ID is not set: give the Microsoft App ID of the Azure Bot "
            "(a GUID such as 00000000-0000-0000-0000-000000000000)"
        )
    value = app_id.strip()
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        parsed = None
    # uuid.UUID also takes "{...}", "urn:uuid:..." and 32 bare hex digits; Teams takes only 8-4-4-4-12.
    if parsed is None or str(parsed) != value.lower():
        raise ValueError(
            f"MICROSOFT_APP_ID {value!r} is not a GUID: expected the form "
            "00000000-0000-0000-0000-000000000000 (the Microsoft App ID of the Azure Bot)"
        )
    return value.lower()


def _base_url(host: str | None) -> tuple[str, str]:
    """("https://pedir.acme.com", "pedir.acme.com") from a host URL or bare domain."""
    raw = (host or DEFAULT_HOST).strip().rstrip("/")
    if "://" not in raw:
        raw = f"https://{raw}"
    parts = urlsplit(raw)
    if parts.scheme != "https":
        raise ValueError(f"host {host!r} must be an https URL: Teams accepts only https links")
    if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"host {host!r} is not a URL like https://pedir.example.com")
    domain = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"https://{domain}{parts.path}", domain


def build_manifest(
    app_id: str, *, host: str | None = None, version: str = PACKAGE_VERSION, registry: Registry = REGISTRY,
) -> dict:
    """The Teams manifest (schema 1.17) for the Pedir bot with this Azure app id."""
    app_id = _app_id(app_id)
    if not _SEMVER.match(version):
        raise ValueError(f"version {version!r} is not MAJOR.MINOR.PATCH, as Teams requires")
    base, domain = _base_url(host)
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Pedir",
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": "Pedir", "full": "Pedir: pedidos entre equipos"},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": BRAND_COLOR,
        "bots": [
            {
                "botId": app_id,
                "scopes": list(SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": list(SCOPES), "commands": command_menu(registry)},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain],
    }


def write_package(path: Path, app_id: str, host: str | None = None) -> None:
    """Write the zip Teams uploads: manifest.json, color.png, outline.png at its root."""
    manifest = build_manifest(app_id, host=host)  # validates before anything is written
    payload = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", payload.encode("utf-8"))
        archive.writestr("color.png", color_icon())
        archive.writestr("outline.png", outline_icon())


# --- icons -----------------------------------------------------------------

# The letter "P" on a 32-unit grid, as (x0, y0, x1, y1) rectangles, ends
# exclusive. It sits in units 6..26, so on the 192-pixel colour icon (6 px a
# unit) it stays inside the central 120×120 safe area Teams asks for.
_GLYPH = [
    (9, 6, 13, 26),   # stem
    (9, 6, 21, 10),   # top of the bowl
    (9, 14, 21, 18),  # bottom of the bowl
    (19, 8, 23, 16),  # right side of the bowl (its corners stay cut)
]
_GRID = 32


def _glyph_mask(size: int) -> list[list[bool]]:
    scale = size / _GRID
    mask = [[False] * size for _ in range(size)]
    for x0, y0, x1, y1 in _GLYPH:
        for y in range(round(y0 * scale), round(y1 * scale)):
            row = mask[y]
            for x in range(round(x0 * scale), round(x1 * scale)):
                row[x] = True
    return mask


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, color_type: int, rows: list[bytes]) -> bytes:
    """An 8-bit PNG: colour type 2 (RGB) or 6 (RGBA), every row with filter 0."""
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _hex_rgb(color: str) -> bytes:
    return bytes.fromhex(color.lstrip("#"))


def color_icon() -> bytes:
    """192×192 RGB: the white "P" on the brand colour."""
    background, white = _hex_rgb(BRAND_COLOR), b"\xff\xff\xff"
    rows = [b"".join(white if on else background for on in line) for line in _glyph_mask(COLOR_ICON_SIZE)]
    return _png(COLOR_ICON_SIZE, COLOR_ICON_SIZE, 2, rows)


def outline_icon() -> bytes:
    """32×32 RGBA: the "P" in opaque white, every other pixel fully transparent."""
    on, off = b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"
    rows = [b"".join(on if pixel else off for pixel in line) for line in _glyph_mask(OUTLINE_ICON_SIZE)]
    return _png(OUTLINE_ICON_SIZE, OUTLINE_ICON_SIZE, 6, rows)
