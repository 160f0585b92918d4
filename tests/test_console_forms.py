"""The console's forms, as a person filling them in meets them: field errors
under the field's own label, as many rounds as it takes with what was typed
kept, a number off the list asked again at once, and :como by handle."""

from __future__ import annotations

from datetime import datetime

from adapters.console.main import run_chat
from bot.config import Settings

START = datetime.fromisoformat("2026-11-25T09:00+01:00")


async def chat(tmp_path, *lines: str) -> list[str]:  # noqa: ANN001
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out: list[str] = []
    code = await run_chat(demo=True, as_email=None, script=script, now=START, settings=Settings(), write=out.append)
    assert code == 0
    return out


async def test_a_form_keeps_asking_with_labels_and_loses_nothing(tmp_path):
    out = await chat(
        tmp_path,
        "/pedir",
        "9", "1",  # a team off the list of six, then Facturación
        "", "#acme", "", "ayer",  # no description, a customer, normal priority, a bad date
        "", "",  # round 2: still nothing, and Enter keeps "ayer"
        "", "",  # round 3
        "corregir la factura", "para:2027-01-10",  # round 4: the date as the help writes it
        "/pedir ver PED-1",
    )
    text = "\n".join(out)
    assert "    (elige un número del 1 al 6)" in out
    # Errors name the field as the form does, never "team" or "due".
    assert "  ✗ Descripción: Falta la descripción." in text
    assert "  ✗ Para: No entiendo la fecha «ayer». Escribe, por ejemplo, 2027-01-10" in text
    assert "✗ due:" not in text and "✗ description:" not in text
    assert out.count("  (corrige lo marcado; Intro deja lo que ya escribiste, «-» lo borra y Ctrl-C cancela)") == 3
    assert "  Para [ayer]: " in out
    assert "formulario cancelado" not in text
    # The fourth round created it, with the customer typed in the first.
    assert "Creado PED-1 para Facturación." in text
    assert "  ┃ Cliente: ACME Logística S.L." in out
    assert "  ┃ Para: 10 ene 2027" in out


async def test_a_dash_clears_a_field_typed_in_an_earlier_round(tmp_path):
    out = await chat(tmp_path, "/pedir", "1", "", "", "", "ayer", "algo urgente", "-")
    text = "\n".join(out)
    assert "Creado PED-1 para Facturación." in text


async def test_como_takes_the_handle_the_prompt_shows(tmp_path):
    out = await chat(tmp_path, ":como marta.lopez", "/pedir mis", ":como nadie", ":como sara.ruiz@example.com")
    assert "  (ahora eres / you are now Marta López Fernández)" in out
    assert "marta.lopez> /pedir mis" in out
    assert "  (no conozco a / unknown person «nadie»: prueba :gente)" in out
    assert "  (ahora eres / you are now Sara Ruiz Moreno)" in out
