"""The pulse domain's own sentences (answering, fan-out, reminders, access)."""

from __future__ import annotations

PULSE_CATALOG: dict[str, dict[str, str]] = {
    "pulse.help": {
        "es": ("*Pulsos: encuestas cortas y anónimas sobre cómo nos servimos entre equipos*\n"
               "• /pulso nuevo — crea un pulso (RR. HH.)\n"
               "• /pulso lista — los pulsos\n"
               "• /pulso ver P-3 — un pulso y sus rondas\n"
               "• /pulso pausar|reanudar|cancelar P-3\n"
               "• /pulso resultados P-3 [ronda 2] — resultados, al cerrar la ronda\n"
               "• /pulso responder P-3 — lo que el equipo ha oído y lo que va a cambiar"),
        "en": ("*Pulses: short anonymous surveys on how teams serve each other*\n"
               "• /pulso new — create a pulse (HR)\n"
               "• /pulso list — the pulses\n"
               "• /pulso show P-3 — a pulse and its rounds\n"
               "• /pulso pause|resume|cancel P-3\n"
               "• /pulso results P-3 [round 2] — results, once the round closes\n"
               "• /pulso respond P-3 — what the team heard and what it will change"),
    },
    "input.bad_pulse_id": {
        "es": "«{value}» no es un pulso. Escribe su número así: P-3 (lo ves en /pulso lista).",
        "en": "“{value}” is not a pulse. Type its number like this: P-3 (see /pulso list).",
    },
    "input.bad_round": {
        "es": "«{value}» no es un número de ronda. Ejemplo: /pulso resultados P-3 ronda 2",
        "en": "“{value}” is not a round number. Example: /pulso results P-3 round 2",
    },
    "pulse.unknown": {
        "es": "No encuentro el pulso {value}. Mira /pulso lista.",
        "en": "I can't find pulse {value}. See /pulso list.",
    },
    "pulse.hr_only": {
        "es": "Solo RR. HH. puede crear y gestionar pulsos. Si te falta ese permiso, pide que te marquen con `hr = true` en el fichero de la organización.",
        "en": "Only HR can create and manage pulses. If you should, ask to be marked `hr = true` in the organisation file.",
    },
    "pulse.results_not_yours": {
        "es": "Los resultados de este pulso los ven RR. HH. y quien lidera el equipo por el que pregunta.",
        "en": "This pulse's results are for HR and the lead of the team it asks about.",
    },
    "pulse.respond_not_yours": {
        "es": "Responder a los resultados le toca a quien lidera el equipo por el que pregunta el pulso.",
        "en": "Answering the results is for the lead of the team the pulse asks about.",
    },
}
