"""The console adapter end to end: the real `pedir chat` replaying a script."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from adapters.console.main import run_chat
from bot.app import Pedir
from bot.config import Settings
from tests.harness.cli import PEDIR, cli_env, pedir, sqlite_url
from tests.harness.terminal import Terminal, sqlite_write_lock

ROOT = Path(__file__).resolve().parents[1]
DEMO_SCRIPT = ROOT / "examples" / "demo-script.txt"
START = "2026-11-25T09:00+01:00"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_demo_script_runs_the_whole_lifecycle():
    result = run_cli("--demo", "--script", str(DEMO_SCRIPT), "--now", START)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # A near miss is answered with a choice, and the choice creates the request.
    assert "¿Quisiste decir @facturacion?" in out
    assert "Creado PED-1 para Facturación. Primera respuesta antes de mié 25 nov, 13:00" in out
    # The team card lands in the team's channel, the confirmation in Ana's DM.
    assert "→ #facturacion [m1]" in out
    assert "→ DM Ana García Ruiz <ana.garcia@example.com> [m2]" in out
    # Both sides talk in the threads of their own cards.
    assert "→ #facturacion (hilo de m1)" in out and "Ana García Ruiz: Es la F-2026-0412" in out
    assert "¿Qué número de factura es?" in out
    # State changes edit the cards in place.
    assert "✎ #facturacion [m1 actualizado]" in out
    assert "Estado: Esperando información" in out and "SLA en pausa" in out
    assert "Estado: Resuelto" in out and "SLA cumplido" in out
    # The rating reaches the team, and the team card reports the promise kept.
    assert "Valoración de PED-1: ★★★★★" in out
    assert "Comentario a la valoración de PED-1: Rapidísimo, gracias" in out
    assert "100\u00a0% de 1 pedido resuelto a tiempo" in out  # Babel: no-break space
    assert "ana.garcia> /pedir mis\n← respuesta / reply\n  ┃ No tienes pedidos abiertos." in out
    # A customer issue: its card reaches every follower, the status update too,
    # with "Entendido"; the author's receipt names who acknowledged it.
    assert "Abierta INC-1 para ACME Logística S.L. (SEV2, Soporte)" in out
    assert "→ #soporte [m12]" in out and "→ #facturacion [m13]" in out
    assert "Estado publicado en INC-1: enviado a 3 chats." in out
    assert "✓ Lo has confirmado" in out
    assert "Tu actualización de INC-1\n  ┃ (Enviada a 3 chats · Entendido (1): Elena Torres Castillo)" in out
    # Churn risk reaches the account manager, and the customer's one view shows it all.
    assert "⚠ Posible riesgo con ACME Logística S.L." in out and "aceptada por Elena Torres Castillo" in out
    assert "(⚠ En riesgo)\nelena.torres> # Time passes." in out  # the customer view, before the last scene
    # Three hours pass: the reminders of those hours appear in order, then the escalations.
    last_scene = out.split("ana.garcia> :espera 3h", 1)[1]
    order = ["⏳ PED-2 sigue sin respuesta", "⛔ PED-2 (Sistemas) superó el plazo de primera respuesta",
             "⏳ INC-1 (ACME Logística S.L.): la actualización tocaba",
             "La próxima actualización de INC-1 (ACME Logística S.L.) llega tarde; ya se ha avisado a Javier"]
    assert [last_scene.index(text) for text in order] == sorted(last_scene.index(text) for text in order)
    assert "escalado a Pablo Jiménez Ortega mié 25 nov, 09:15" in last_scene
    assert "Pedidos abiertos y de los últimos 30 días (1): PED-1 · Facturación · Resuelto" in out


def test_unknown_person_is_refused_with_a_hint():
    result = run_cli("--demo", "--as", "nadie@example.com", "--script", str(DEMO_SCRIPT))
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr == (
        "No encuentro a «nadie@example.com»: usa --as con el email de alguien importado (pedir org import FICHERO.toml).\n"
    )


async def test_english_speaker_gets_english_and_bad_input_changes_nothing(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(
        "\n".join([
            "/request @sistema the VPN drops every hour",
            "/request @sistemas",
            "/request @sistemas fix it due:2020-01-01",
            "/request @sistemas the VPN drops every hour !urgent",
            "/request mine",
        ]),
        encoding="utf-8",
    )
    lines: list[str] = []
    code = await run_chat(
        demo=True, as_email="james.whitaker@example.com", script=script, now=None,
        settings=Settings(), write=lines.append,
    )
    out = "\n".join(lines)
    assert code == 0
    assert "I can't find the team “@sistema”. Did you mean @sistemas?" in out
    assert "The description is missing." in out
    assert "is in the past" in out
    # Only the last, valid line created a request: it is PED-1.
    assert "Created PED-1 for Sistemas." in out
    assert "Your open requests (1)" in out


async def test_an_absurd_wait_answers_with_the_allowed_range_and_keeps_the_clock(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(":espera 99999999d\n:espera 99999999999999999999d\n:espera 0m\n:espera 1h\n", encoding="utf-8")
    lines: list[str] = []
    code = await run_chat(demo=True, as_email=None, script=script, now=datetime.fromisoformat(START),
                          settings=Settings(), write=lines.append)
    assert code == 0
    usage = "  (usa :espera 30m, :espera 2h o :espera 1d4h: de 1 minuto a 365 días)"
    assert lines[-8:] == [
        "ana.garcia> :espera 99999999d", usage,
        "ana.garcia> :espera 99999999999999999999d", usage,
        "ana.garcia> :espera 0m", usage,
        "ana.garcia> :espera 1h", "  (ahora es / it is now mié 25 nov, 10:00)",
    ]


async def test_the_clock_stops_at_the_end_of_its_window(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(":espera 300d\n:espera 1h\n", encoding="utf-8")
    lines: list[str] = []
    code = await run_chat(demo=True, as_email=None, script=script, now=datetime.fromisoformat("2099-06-01T09:00+02:00"),
                          settings=Settings(), write=lines.append)
    assert code == 0
    assert lines[-3:] == [
        "  (el reloj de la consola no pasa de 2100)", "ana.garcia> :espera 1h", "  (ahora es / it is now lun 1 jun, 10:00)",
    ]


# ------------------------------------------------------------------ Ctrl-C at a terminal

PROMPT = "ana.garcia> "


@pytest.fixture(scope="module")
def imported_org(tmp_path_factory) -> Path:
    """A database file with the demo organisation, imported by `pedir org import`."""
    folder = tmp_path_factory.mktemp("org")
    result = pedir("org", "import", str(ROOT / "examples" / "demo-org.toml"), cwd=folder,
                   DATABASE_URL=sqlite_url(folder / "pedir.db"))
    assert result.returncode == 0, result.stderr
    return folder / "pedir.db"


@pytest.fixture
def db(imported_org, tmp_path) -> Path:
    return Path(shutil.copy(imported_org, tmp_path / "pedir.db"))


def chat(db: Path, *args: str) -> Terminal:
    return Terminal([*PEDIR, "chat", "--as", "ana.garcia@example.com", *args],
                    env=cli_env(DATABASE_URL=sqlite_url(db)), cwd=db.parent)


def requests(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT description FROM request ORDER BY id")]


def test_ctrl_c_at_the_prompt_drops_the_line_and_a_second_one_leaves(db):
    with chat(db) as term:
        term.expect(PROMPT)
        term.settle()
        term.type("/pedir @sistemas esto no se envía")
        term.ctrl_c()
        assert term.expect(PROMPT).endswith(
            "^C\n  (Ctrl-C: línea cancelada. Otro Ctrl-C, Ctrl-D o :salir para salir)\n" + PROMPT)
        # The next command works: nothing of the cancelled line is left behind.
        term.enter("/pedir @sistemas la impresora no imprime")
        assert "Creado PED-1 para Sistemas." in term.expect(PROMPT)
        term.settle()
        term.ctrl_c()
        term.expect("línea cancelada")
        term.expect(PROMPT)
        term.settle()
        term.ctrl_c()
        assert term.expect("Hasta luego.").endswith("^C\nHasta luego.")
        assert term.finish() == 0
    assert "Traceback" not in term.transcript
    assert requests(db) == ["la impresora no imprime"]


def test_ctrl_c_during_a_command_lets_it_finish_and_says_it_was_saved(db):
    with chat(db) as term:
        term.expect(PROMPT)
        with sqlite_write_lock(db):  # the command waits inside its transaction
            term.enter("/pedir @sistemas la VPN se cae cada hora")
            term.ctrl_c()
        out = term.expect(PROMPT)
        assert "← respuesta / reply\n  ┃ Creado PED-1 para Sistemas." in out
        assert "→ #sistemas [m1]" in out  # what was saved is also delivered
        # Last, next to the fresh prompt: the command was saved, and what it said.
        report = out.removesuffix("\n" + PROMPT).rsplit("\n", 1)[-1]
        assert report.startswith(
            "  (Ctrl-C: llegó tarde; la orden ya se había completado y quedó guardada: «Creado PED-1 para Sistemas.")
        term.ctrl_d()
        assert term.expect("Hasta luego.")
        assert term.finish() == 0
    assert "Traceback" not in term.transcript
    assert requests(db) == ["la VPN se cae cada hora"]


def test_ctrl_c_in_a_form_or_during_a_refused_command_saves_nothing(db):
    with chat(db) as term:
        term.expect(PROMPT)
        term.enter("/pedir")
        term.expect("Equipo*: ")
        term.settle()
        term.ctrl_c()
        assert term.expect(PROMPT).endswith("  (Ctrl-C: formulario cancelado; no se ha guardado nada)\n" + PROMPT)
        with sqlite_write_lock(db):
            term.enter("/pedir @sistemas arreglarlo para:2020-01-01")
            term.ctrl_c()
        out = term.expect(PROMPT)
        assert "ya ha pasado" in out
        assert out.endswith("  (Ctrl-C: no se ha guardado nada)\n" + PROMPT)
        term.ctrl_d()
        term.expect("Hasta luego.")
        assert term.finish() == 0
    assert "Traceback" not in term.transcript
    assert requests(db) == []


async def test_ctrl_c_during_a_script_stops_it_after_the_running_line(db, monkeypatch):
    # A script gives no prompt to wait at: the Ctrl-C is sent from inside the
    # first command, in this process, as the terminal would send it.
    script = db.parent / "script.txt"
    script.write_text("/pedir @sistemas la VPN se cae\n/pedir @legal revisar el contrato\n", encoding="utf-8")
    run_line = Pedir.line

    async def pressed_during(self, person, line, **kw):  # noqa: ANN001, ANN003, ANN202
        signal.raise_signal(signal.SIGINT)
        return await run_line(self, person, line, **kw)

    monkeypatch.setattr(Pedir, "line", pressed_during)
    unhandled: list[int] = []
    outer = signal.signal(signal.SIGINT, lambda signum, _frame: unhandled.append(signum))
    lines: list[str] = []
    try:
        code = await run_chat(demo=False, as_email="ana.garcia@example.com", script=script, now=None,
                              settings=Settings(DATABASE_URL=sqlite_url(db)), write=lines.append)
    finally:
        signal.signal(signal.SIGINT, outer)
    assert (code, unhandled) == (130, [])  # the console took the Ctrl-C, and gave the handler back
    *_, report, stop = lines
    assert report.startswith(
        "  (Ctrl-C: llegó tarde; la orden ya se había completado y quedó guardada: «Creado PED-1 para Sistemas.")
    assert stop == "  (Ctrl-C: el guion se detiene aquí)"
    assert not any("@legal" in line for line in lines)
    assert requests(db) == ["la VPN se cae"]
