"""The Teams app package: a zip Teams accepts, with a valid manifest and icons."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.teams.package import build_manifest, color_icon, outline_icon, write_package

APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
REPO = Path(__file__).resolve().parents[1]


# --- a tiny PNG reader ------------------------------------------------------

def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, colour type, rows of raw pixel bytes) of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and interlace == 0
    channels = {2: 3, 6: 4}[color_type]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            line[i] = (line[i] + [0, left, up, (left + up) // 2, _paeth(left, up, corner)][kind]) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, color_type, rows


def pixels(rows: list[bytes], channels: int) -> list[bytes]:
    return [row[i:i + channels] for row in rows for i in range(0, len(row), channels)]


# --- the package ------------------------------------------------------------

@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    path = tmp_path / "pedir-teams.zip"
    write_package(path, APP_ID)
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_zip_holds_exactly_the_three_files_at_its_root(package):
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert package.testzip() is None


def test_zipped_manifest_is_the_built_one(package):
    assert json.loads(package.read("manifest.json").decode("utf-8")) == build_manifest(APP_ID)


def test_manifest_has_every_field_teams_requires_for_a_bot():
    manifest = build_manifest(APP_ID)
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert manifest["manifestVersion"] == "1.17"
    major, minor, patch = manifest["version"].split(".")
    assert all(part.isdigit() for part in (major, minor, patch))
    assert manifest["id"] == APP_ID
    developer = manifest["developer"]
    assert developer["name"]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[key].startswith("https://"), key
    assert 0 < len(manifest["name"]["short"]) <= 30
    assert len(manifest["name"].get("full", "")) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"] == "#1D3557"
    [bot] = manifest["bots"]
    assert bot["botId"] == manifest["id"]
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["pedir.example.com"]


def test_commands_are_pedirs_and_within_limits():
    [command_list] = build_manifest(APP_ID)["bots"][0]["commandLists"]
    assert set(command_list["scopes"]) <= {"personal", "team", "groupChat"}
    commands = command_list["commands"]
    titles = [command["title"] for command in commands]
    assert titles == ["pedir", "pedir mis", "pedir cola", "pedir ayuda", "equipos",
                      "incidencia", "estado", "cliente", "pulso"]
    assert len(set(titles)) == len(titles)
    assert 0 < len(commands) <= 10
    for command in commands:
        assert 0 < len(command["title"]) <= 32
        assert 0 < len(command["description"]) <= 128


def test_every_command_title_is_a_line_teams_reads_as_a_command():
    # Teams has no slash commands: a title typed as is must reach the parser.
    from datetime import date

    from bot.commands.grammar import ParseError
    from bot.domains import REGISTRY

    [command_list] = build_manifest(APP_ID)["bots"][0]["commandLists"]
    for command in command_list["commands"]:
        assert REGISTRY.names_a_command(command["title"]), command["title"]
        parsed = REGISTRY.parse_line(command["title"], date(2026, 11, 25))
        assert not (isinstance(parsed, ParseError) and parsed.code == "unknown_command"), (command["title"], parsed)


def test_host_sets_the_urls_and_the_valid_domain():
    manifest = build_manifest(APP_ID, host="https://pedir.acme.es/")
    assert manifest["developer"]["websiteUrl"] == "https://pedir.acme.es"
    assert manifest["developer"]["privacyUrl"].startswith("https://pedir.acme.es/")
    assert manifest["validDomains"] == ["pedir.acme.es"]
    with pytest.raises(ValueError, match="https"):
        build_manifest(APP_ID, host="http://pedir.acme.es")


def test_version_is_passed_through_and_must_be_semver():
    assert build_manifest(APP_ID, version="2.3.4")["version"] == "2.3.4"
    with pytest.raises(ValueError, match="version"):
        build_manifest(APP_ID, version="2.3.4.dev1")


@pytest.mark.parametrize("bad", ["", "   ", "not-a-guid", "3f2504e04f8941d39a0c0305e82c3301",
                                 "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", "3f2504e0-4f89-41d3-9a0c-0305e82c330"])
def test_app_id_must_be_a_guid(bad, tmp_path):
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        build_manifest(bad)
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        write_package(tmp_path / "x.zip", bad)
    assert not (tmp_path / "x.zip").exists()


def test_app_id_is_normalised_to_lower_case():
    manifest = build_manifest(APP_ID.upper())
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID


# --- the icons ---------------------------------------------------------------

def test_color_icon_is_192_full_colour_brand_and_white(package):
    data = package.read("color.png")
    assert data == color_icon()
    width, height, color_type, rows = read_png(data)
    assert (width, height) == (192, 192)
    assert color_type in (2, 6)  # RGB or RGBA: full colour
    channels = 3 if color_type == 2 else 4
    colours = {pixel[:3] for pixel in pixels(rows, channels)}
    assert colours == {bytes.fromhex("1D3557"), b"\xff\xff\xff"}
    assert rows[0][:3] == bytes.fromhex("1D3557")  # the background reaches the corners


def test_outline_icon_is_32_white_on_transparent(package):
    data = package.read("outline.png")
    assert data == outline_icon()
    width, height, color_type, rows = read_png(data)
    assert (width, height) == (32, 32)
    assert color_type == 6  # RGBA: it needs transparency
    found = pixels(rows, 4)
    assert all(pixel == b"\xff\xff\xff\xff" or pixel[3] == 0 for pixel in found)
    white = sum(pixel[3] == 255 for pixel in found)
    assert 0 < white < len(found) // 2  # a glyph, not an empty or a solid square


# --- the command line --------------------------------------------------------

def _cli(tmp_path: Path, *args: str, app_id: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "MICROSOFT_APP_ID"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if app_id is not None:
        env["MICROSOFT_APP_ID"] = app_id
    # cwd=tmp_path: no .env from the checkout can slip an app id in.
    return subprocess.run([sys.executable, "-m", "adapters.cli", "manifest", "teams", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def test_cli_writes_the_package(tmp_path):
    out = tmp_path / "out" / "pedir-teams.zip"
    result = _cli(tmp_path, "--out", str(out), "--host", "https://pedir.acme.es", app_id=APP_ID)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["pedir.acme.es"]


def test_cli_default_out_is_pedir_teams_zip(tmp_path):
    result = _cli(tmp_path, app_id=APP_ID)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pedir-teams.zip").is_file()


@pytest.mark.parametrize("app_id", [None, "", "nope"], ids=["unset", "empty", "not-a-guid"])
def test_cli_refuses_without_a_valid_app_id(tmp_path, app_id):
    out = tmp_path / "pedir-teams.zip"
    result = _cli(tmp_path, "--out", str(out), app_id=app_id)
    assert result.returncode == 2
    assert "MICROSOFT_APP_ID" in result.stderr
    assert result.stdout == ""
    assert not out.exists()
