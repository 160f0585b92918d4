"""Pulses set up from the console (the form asked field by field, bad answers
asked again) and from the command line (`pedir pulse create --file`, `pedir
pulse list`): the real adapters, on a SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from adapters.console.main import run_chat
from bot.config import Settings
from tests.harness.cli import pedir, sqlite_url

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pulse.toml"
RAQUEL = "raquel.dominguez@example.com"
# Answers to the form's prompts, in its order (an empty line keeps the default).
FORM = [
    "¿Cómo valoras el servicio de Sistemas esta semana?", "1",  # question 1, 1–5 scale
    "", "", "", "",  # no second or third question
    "1",  # a free comment
    "sistemas", "@soporte @ventas",
    "2",  # weekly
    "2026-11-30", "10:00", "", "3", "2",
    "1",  # anonymous
    "2",  # threshold: too low, asked again below
]


async def test_the_console_asks_the_form_field_by_field_and_the_worker_opens_the_round(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("\n".join(["/pulso nuevo", *FORM, "5", ":espera 6d", "/pulso ver P-1"]) + "\n",
                      encoding="utf-8")
    lines: list[str] = []
    code = await run_chat(demo=True, as_email=RAQUEL, script=script, now=datetime.fromisoformat("2026-11-25T09:00+01:00"),
                          settings=Settings(), write=lines.append)
    out = "\n".join(lines)
    assert code == 0
    assert ("✗ Mínimo de respuestas para ver resultados (3–25): «2»: el mínimo de respuestas para mostrar "
            "resultados va de 3 a 25.") in out  # the field as the form labels it
    assert "Pulso P-1 creado." in out
    assert "cada semana, los lunes a las 10:00, desde el 30 nov 2026" in out
    # :espera stopped when the round was due and the worker's job opened it. It closes with the
    # last recipient's window: Carlos's, three business days after 10:00 in Mexico City (17:00 in Madrid).
    assert "Ronda 1 · 30 nov 2026 · abierta · cierra jue 3 dic, 17:00 · han respondido 0 de 5" in out
    assert "próxima ronda: 7 dic 2026" in out


@pytest.fixture(scope="module")
def org_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pulse-cli")
    result = pedir("org", "import", str(ROOT / "examples" / "demo-org.toml"), cwd=folder,
                   DATABASE_URL=sqlite_url(folder / "pedir.db"))
    assert result.returncode == 0, result.stderr
    return folder / "pedir.db"


def pulses(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("select id, state, min_answers from pulse").fetchall()


def test_pedir_pulse_create_from_the_example_file_and_list(org_db, tmp_path):
    db = tmp_path / "pedir.db"
    db.write_bytes(org_db.read_bytes())
    result = pedir("pulse", "create", "--file", str(EXAMPLE), cwd=tmp_path, DATABASE_URL=sqlite_url(db))
    assert result.returncode == 0, result.stderr
    assert "P-1 · Sistemas" in result.stdout
    assert "Soporte, Ventas, Elena Torres Castillo (5 personas hoy)" in result.stdout
    assert pulses(db) == [(1, "active", 5)]
    listed = pedir("pulse", "list", cwd=tmp_path, DATABASE_URL=sqlite_url(db), PEDIR_LOCALE="en")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("P-1 · Sistemas · active · next round: Jan 12, 2027")


@pytest.mark.parametrize(("change", "says"), [
    (('kind = "monthly"', 'kind = "cron"\ncron = "0 10 30 2 *"'),
     'schedule.cron: «0 10 30 2 *» no se cumple nunca'),
    (("min_answers = 5", "min_answers = 2"), "min_answers: «2»: el mínimo de respuestas"),
    (("start = 2027-01-12", "start = 2020-01-12"), "schedule.start: La fecha 2020-01-12 ya ha pasado"),
    (('audience = ["@soporte", "@ventas", "elena.torres@example.com"]', 'audience = []'),
     "audience: Di a quién preguntar"),
    (('text = "¿Cómo valoras el servicio de Sistemas este mes?"', 'texto = "x"'),
     "questions[0].texto: clave desconocida"),
    (("window_days = 3", 'window_days = "3"'), "window_days: debe ser un número entero"),
])
def test_a_bad_file_names_its_key_and_stores_nothing(org_db, tmp_path, change, says):
    db = tmp_path / "pedir.db"
    db.write_bytes(org_db.read_bytes())
    old, new = change
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "pulse.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = pedir("pulse", "create", "--file", str(bad), cwd=tmp_path, DATABASE_URL=sqlite_url(db))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {bad}: ") and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert pulses(db) == []


def test_only_hr_creates_from_the_command_line(org_db, tmp_path):
    db = tmp_path / "pedir.db"
    db.write_bytes(org_db.read_bytes())
    result = pedir("pulse", "create", "--file", str(EXAMPLE), "--by", "ana.garcia@example.com", cwd=tmp_path,
                   DATABASE_URL=sqlite_url(db), PEDIR_LOCALE="en")
    assert result.returncode == 1
    assert f"{EXAMPLE}: --by: Only HR can create and manage pulses." in result.stderr
    unknown = pedir("pulse", "create", "--file", str(EXAMPLE), "--by", "nadie@example.com", cwd=tmp_path,
                    DATABASE_URL=sqlite_url(db))
    assert "--by: No conozco a nadie con el email nadie@example.com" in unknown.stderr
    assert pulses(db) == []
