"""What the bot says when a request waits: each reminder, in both languages."""

REQUEST_NUDGES: dict[str, dict[str, str]] = {
    "nudge.request.first_response.warn": {
        "es": "⏳ {ref} sigue sin respuesta; el plazo de primera respuesta vence el {when}: «{text}»",
        "en": "⏳ {ref} has had no answer yet; its first-response deadline is {when}: “{text}”",
    },
    "nudge.request.first_response.breach": {
        "es": "⛔ {ref} ({team}) superó el plazo de primera respuesta ({when}) y nadie la ha atendido: «{text}»",
        "en": "⛔ {ref} ({team}) missed its first-response deadline ({when}) and nobody has taken it: “{text}”",
    },
    "nudge.request.resolution.warn": {
        "es": "⏳ {ref} ({team}) vence el {when}: queda una cuarta parte del plazo de resolución.",
        "en": "⏳ {ref} ({team}) is due {when}: a quarter of its resolution time is left.",
    },
    "nudge.request.resolution.breach": {
        "es": "⛔ {ref} ({team}, de {owner}) superó el plazo de resolución ({when}).",
        "en": "⛔ {ref} ({team}, {owner}'s) missed its resolution deadline ({when}).",
    },
    "nudge.request.resolution.breach.unowned": {
        "es": "⛔ {ref} ({team}, sin responsable) superó el plazo de resolución ({when}).",
        "en": "⛔ {ref} ({team}, nobody on it) missed its resolution deadline ({when}).",
    },
    "nudge.request.waiting.remind": {
        "es": "{team} espera tu respuesta en {ref} desde el {when}. Contesta en el hilo o con «Comentar».",
        "en": "{team} has been waiting for your answer on {ref} since {when}. Reply in the thread or with “Comment”.",
    },
    "nudge.request.waiting.close": {
        "es": "{ref} lleva {days} días laborables esperando la respuesta de {requester}. ¿La cerramos?",
        "en": "{ref} has waited {days} business days for {requester}'s answer. Close it?",
    },
    "nudge.request.rating.remind": {
        "es": "¿Qué tal resolvió {team} {ref}? Una valoración de 1 a 5 les ayuda a mejorar.",
        "en": "How well did {team} handle {ref}? A 1–5 rating helps them improve.",
    },
    "nudge.request.pingpong.remind": {
        "es": "🔁 {ref} ha cambiado de equipo {count} veces y sigue sin nadie en {team}: decide quién la lleva.",
        "en": "🔁 {ref} has changed teams {count} times and nobody in {team} has it yet: decide who takes it.",
    },
}
