"""The console adapter end to end: the real `pedir chat` replaying a script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adapters.console.main import run_chat
from bot.config import Settings

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
    assert out.rstrip().endswith("(⚠ En riesgo)")
    assert "Pedidos abiertos y de los últimos 30 días (1): PED-1 · Facturación · Resuelto" in out


def test_unknown_person_is_refused_with_a_hint():
    result = run_cli("--demo", "--as", "nadie@example.com", "--script", str(DEMO_SCRIPT))
    assert result.returncode == 2
    assert "No encuentro a «nadie@example.com»" in result.stdout


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
