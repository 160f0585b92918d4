"""What the nudge machinery itself says (each domain words its own nudges)."""

NUDGE_CATALOG: dict[str, dict[str, str]] = {
    "nudge.many": {"es": "Tienes {count} avisos pendientes", "en": "You have {count} things waiting"},
    "nudge.more": {
        "es": "…y {count} más, en el próximo aviso (dentro de {minutes} min).",
        "en": "…and {count} more, in the next reminder ({minutes} min from now).",
    },
    "nudge.snooze.1h": {"es": "Recordar en 1 h", "en": "Remind me in 1 h"},
    "nudge.snooze.4h": {"es": "Recordar en 4 h", "en": "Remind me in 4 h"},
    "nudge.snooze.tomorrow": {"es": "Mañana", "en": "Tomorrow"},
    "nudge.snoozed": {"es": "De acuerdo: te lo recuerdo el {when}.", "en": "OK: I will remind you on {when}."},
    "nudge.not_yours": {
        "es": "Este aviso es para otra persona: solo quien lo recibe puede posponerlo.",
        "en": "This reminder is someone else's: only its recipient can put it off.",
    },
    "nudge.trail.reminded": {"es": "recordado a {name} {when}", "en": "reminded {name} {when}"},
    "nudge.trail.escalated": {"es": "escalado a {name} {when}", "en": "escalated to {name} {when}"},
    "nudge.trail.told": {
        "es": "avisados {count} interesados {when}", "en": "{count} stakeholders told {when}",
    },
}
