"""`pedir` fails in one clear line, never a traceback, and never shows a password.

Each case runs the real command line in a subprocess, as an operator would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from adapters.cli_errors import explain
from tests.harness.cli import ROOT, pedir, sqlite_url
from tests.harness.ports import free_port

DEMO_ORG = ROOT / "examples" / "demo-org.toml"
PASSWORD = "s3cret-Pw"


def one_line(result) -> str:  # noqa: ANN001
    """The failure as the operator sees it: one line on stderr, nothing else."""
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("args", "says"), [
    (["chat", "--demo", "--script", "{tmp}/nada.txt"], "pedir chat: argument --script: no puedo leer «{tmp}/nada.txt»: no existe"),
    (["chat", "--demo", "--script", "{tmp}"], "no puedo leer «{tmp}»: es una carpeta"),
    (["chat", "--demo", "--now", "ayer"],
     "«ayer» no es una fecha y hora válida: usa ISO 8601 con zona horaria, entre 1970 y 2099, p. ej. 2026-11-25T09:00+01:00"),
    (["chat", "--demo", "--now", "2026-11-25T09:00"], "usa ISO 8601 con zona horaria"),
    (["chat", "--demo", "--now", "9999-12-31T23:59+00:00"], "entre 1970 y 2099"),
    (["org", "import", "{tmp}/org.toml"], "pedir org import: argument file: no puedo leer «{tmp}/org.toml»: no existe"),
    (["manifest", "slack", "--host", "pedir.example.com"], "«pedir.example.com» no es una URL https"),
    (["manifest", "slack", "--out", "{tmp}"], "no puedo escribir «{tmp}»: es una carpeta"),
], ids=["script-missing", "script-folder", "now-word", "now-no-zone", "now-far", "org-missing", "host", "out-folder"])
def test_a_bad_argument_is_one_line_saying_what_is_accepted(tmp_path, args, says):
    result = pedir(*(arg.format(tmp=tmp_path) for arg in args), cwd=tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert says.format(tmp=tmp_path) in line
    assert line.endswith("--help)")  # where the rest is explained


def test_the_operator_language_is_used(tmp_path):
    result = pedir("chat", "--demo", "--now", "ayer", cwd=tmp_path, PEDIR_LOCALE="en")
    assert result.returncode == 2
    assert "“ayer” is not a valid date and time: use ISO 8601 with a time zone" in one_line(result)


@pytest.mark.parametrize("command", [
    ["db", "current"], ["db", "upgrade"], ["serve"], ["worker"],
    ["chat", "--as", "ana.garcia@example.com"], ["org", "import", str(DEMO_ORG)],
], ids=lambda command: "-".join(command[:2]))
def test_a_database_that_is_down_is_one_line_naming_its_host(tmp_path, command):
    port = free_port()  # nobody listens there
    result = pedir(*command, cwd=tmp_path, DATABASE_URL=f"postgresql://pedir:{PASSWORD}@127.0.0.1:{port}/pedir")
    assert result.returncode == 1
    line = one_line(result)
    assert f"No puedo usar la base de datos pedir@127.0.0.1:{port}/pedir: Connection refused." in line
    assert PASSWORD not in line


@pytest.mark.parametrize(("url", "says"), [
    ("not a url", "DATABASE_URL no es una URL de base de datos válida: usa sqlite:///"),
    (f"postgresql://pedir:{PASSWORD}@db:port/pedir", "DATABASE_URL no es una URL de base de datos válida"),
    (f"mysql://root:{PASSWORD}@db/pedir", "DATABASE_URL es de «mysql», que Pedir no usa"),
], ids=["garbage", "port", "mysql"])
def test_a_bad_database_url_is_one_line_without_the_url(tmp_path, url, says):
    result = pedir("db", "current", cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    line = one_line(result)
    assert says in line
    assert PASSWORD not in line


def test_a_driver_message_never_carries_the_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://pedir:{PASSWORD}@db.internal:5432/pedir")
    from bot.config import get_settings

    get_settings.cache_clear()
    try:
        failure = explain(OperationalError("connect", {}, Exception(f"bad login pedir:{PASSWORD}")))
    finally:
        get_settings.cache_clear()
    assert failure is not None and failure.code == 1
    assert str(failure).startswith("No puedo usar la base de datos pedir@db.internal:5432/pedir: bad login pedir:***.")


def test_broken_settings_name_the_variable_not_its_value(tmp_path):
    result = pedir("db", "current", cwd=tmp_path, PORT="tres-mil")
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("Configuración no válida: PORT: Input should be a valid integer")
    assert "tres-mil" not in line


def test_chat_on_a_database_without_people_says_what_to_do(tmp_path):
    result = pedir("chat", cwd=tmp_path, DATABASE_URL=sqlite_url(tmp_path / "vacia.db"))
    assert result.returncode == 2
    assert one_line(result) == (
        f"La base de datos {tmp_path / 'vacia.db'} no tiene a nadie todavía: importa tu organización con "
        "«pedir org import FICHERO.toml», o prueba «pedir chat --demo»."
    )


def test_chat_without_as_names_someone_to_be(tmp_path):
    url = sqlite_url(tmp_path / "pedir.db")
    assert pedir("org", "import", str(DEMO_ORG), cwd=tmp_path, DATABASE_URL=url).returncode == 0
    result = pedir("chat", cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("¿Quién eres? Dilo con --as, p. ej. «pedir chat --as ") and "@example.com»." in line


def test_a_bad_org_file_is_one_line_and_changes_nothing(tmp_path):
    bad = tmp_path / "org.toml"
    bad.write_text("[teams.facturacion\n", encoding="utf-8")
    result = pedir("org", "import", str(bad), cwd=tmp_path, DATABASE_URL=sqlite_url(tmp_path / "pedir.db"))
    assert result.returncode == 1
    assert one_line(result).startswith(f"error: {bad}: invalid TOML")


def test_an_output_folder_that_does_not_exist_is_named(tmp_path):
    out: Path = tmp_path / "no-such-folder" / "manifest.json"
    result = pedir("manifest", "slack", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert one_line(result) == f"No puedo usar «{out}»: la carpeta «{out.parent}» no existe"
    assert not out.parent.exists()
