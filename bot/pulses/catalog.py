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
    "input.empty.answer": {"es": "Escribe tu respuesta.", "en": "Write your answer."},
    "pulse.title": {"es": "Pulso {ref}", "en": "Pulse {ref}"},
    "pulse.title.about": {"es": "Pulso {ref} · sobre {team}", "en": "Pulse {ref} · about {team}"},
    "pulse.reminder.lead": {
        "es": "Recordatorio: aún no has respondido a este pulso. Es un minuto.",
        "en": "Reminder: you haven't answered this pulse yet. It takes a minute.",
    },
    "pulse.previous_answer": {
        "es": "La última vez, {team} respondió a lo que dijisteis: «{text}»",
        "en": "Last time, {team} answered what you said: “{text}”",
    },
    "pulse.kind.scale": {"es": "de 1 a 5", "en": "1 to 5"},
    "pulse.kind.enps": {"es": "de 0 a 10: ¿lo recomendarías?", "en": "0 to 10: would you recommend it?"},
    "pulse.kind.text": {"es": "respuesta abierta", "en": "open answer"},
    "pulse.anonymous": {
        "es": ("🔒 Anónimo: tu respuesta se guarda sin tu nombre, sin la hora y sin nada que la una a ti; "
               "nadie, tampoco RR. HH., puede ver quién respondió qué. Los resultados se ven al cerrar, "
               "y solo si responden al menos {min_answers} personas."),
        "en": ("🔒 Anonymous: your answer is stored without your name, without the time and without anything "
               "that links it to you; nobody, HR included, can see who answered what. Results show once it "
               "closes, and only if at least {min_answers} people answer."),
    },
    "pulse.not_anonymous": {
        "es": "⚠ Este pulso NO es anónimo: quien lo creó verá tu nombre junto a tus respuestas.",
        "en": "⚠ This pulse is NOT anonymous: its creator will see your name next to your answers.",
    },
    "pulse.open_until": {
        "es": "Puedes responder, y cambiar tu respuesta, hasta el {when}.",
        "en": "You can answer, and change your answer, until {when}.",
    },
    "pulse.your_answer": {"es": "✓ Tu respuesta: {answer}", "en": "✓ Your answer: {answer}"},
    "pulse.no_answer": {"es": "— sin responder", "en": "— not answered"},
    "pulse.your_comment": {"es": "Tu comentario: {text}", "en": "Your comment: {text}"},
    "pulse.now_answer": {"es": "Ahora la pregunta {number}:", "en": "Now question {number}:"},
    "pulse.thanks": {
        "es": "¡Gracias! Tu respuesta está guardada.",
        "en": "Thank you! Your answer is saved.",
    },
    "pulse.receipt_note": {
        "es": ("Este mensaje guarda tu recibo: solo con él se puede cambiar tu respuesta (hasta el {until}). "
               "Pedir guarda solo una huella del recibo, que no lleva a ti."),
        "en": ("This message holds your receipt: only with it can your answer be changed (until {until}). "
               "Pedir keeps only a fingerprint of the receipt, which does not lead to you."),
    },
    "pulse.closed": {
        "es": "Este pulso ya está cerrado y no admite respuestas. Gracias igualmente.",
        "en": "This pulse has closed and takes no more answers. Thank you all the same.",
    },
    "pulse.not_asked": {
        "es": "Este pulso no se te envió a ti, así que no puedes responderlo.",
        "en": "This pulse wasn't sent to you, so you can't answer it.",
    },
    "pulse.already_answered": {
        "es": ("Ya has respondido a este pulso. Para cambiar tu respuesta, usa los botones del mensaje con tu "
               "respuesta: es el único que guarda tu recibo."),
        "en": ("You've already answered this pulse. To change your answer, use the buttons on the message that "
               "shows it: only that one holds your receipt."),
    },
    "pulse.write": {"es": "Responder", "en": "Answer"},
    "pulse.write.title": {"es": "Tu respuesta", "en": "Your answer"},
    "pulse.comment": {"es": "Tu comentario (opcional, anónimo como el resto)", "en": "Your comment (optional, anonymous like the rest)"},
    "pulse.change": {"es": "Cambiar {number}", "en": "Change {number}"},
    "pulse.add_comment": {"es": "Comentario", "en": "Comment"},
    "pulse.team_answer.title": {
        "es": "Lo que hemos oído y lo que vamos a cambiar · {team}",
        "en": "What we heard and what we will change · {team}",
    },
    "pulse.team_answer.body": {
        "es": "{team} responde a los resultados del pulso {ref}:\n\n{text}",
        "en": "{team} answers the results of pulse {ref}:\n\n{text}",
    },
    "pulse.progress.title": {"es": "Envío del pulso {ref} · ronda {number}", "en": "Sending pulse {ref} · round {number}"},
    "pulse.progress.line": {
        "es": "Enviado a {sent} de {total} · {unreachable} sin poder llegar",
        "en": "Sent to {sent} of {total} · {unreachable} unreachable",
    },
    "pulse.progress.waiting": {
        "es": "{count} pendientes (cada persona lo recibe a su hora local, en su día laborable).",
        "en": "{count} pending (each person gets it at their local time, on their working day).",
    },
    "pulse.progress.done": {"es": "Envío terminado.", "en": "Sending finished."},
    "pulse.unreachable.no_account": {
        "es": ("Sin cuenta en Slack ni en Teams: {names}. Añade su `slack = \"U…\"` o `teams = \"29:…\"` en el "
               "fichero de la organización, o que escriban a Pedir una vez."),
        "en": ("No Slack or Teams account: {names}. Add their `slack = \"U…\"` or `teams = \"29:…\"` to the "
               "organisation file, or have them message Pedir once."),
    },
    "pulse.unreachable.teams_not_installed": {
        "es": ("Pedir no está instalado para ellos en Teams: {names}. Instálalo para esas personas en el centro "
               "de administración de Teams (Aplicaciones administradas → Pedir → Instalar para usuarios)."),
        "en": ("Pedir isn't installed for them in Teams: {names}. Install it for them in the Teams admin center "
               "(Manage apps → Pedir → Install for users)."),
    },
    "pulse.unreachable.slack_refused": {
        "es": "Slack rechazó el mensaje (cuenta desactivada o sin acceso): {names}. Revisa sus cuentas en Slack.",
        "en": "Slack refused the message (account deactivated or without access): {names}. Check their Slack accounts.",
    },
    "pulse.unreachable.failed": {
        "es": "No se pudo entregar tras varios intentos: {names}. Revisa los registros de `pedir worker`.",
        "en": "Could not be delivered after several attempts: {names}. Check the `pedir worker` logs.",
    },
    "pulse.unreachable.more": {"es": "…y {count} más.", "en": "…and {count} more."},
    "pulse.respond.button": {"es": "Responder a los resultados", "en": "Answer the results"},
    "pulse.respond.title": {"es": "Respuesta al pulso {ref}", "en": "Answer to pulse {ref}"},
    "pulse.respond.field": {
        "es": "Lo que hemos oído y lo que vamos a cambiar",
        "en": "What we heard and what we will change",
    },
    "pulse.respond.nothing_closed": {
        "es": "El pulso {ref} aún no tiene una ronda cerrada: podrás responder cuando se vean sus resultados.",
        "en": "Pulse {ref} has no closed round yet: you can answer once its results show.",
    },
    "pulse.respond.already": {
        "es": "Ya respondisteis a la última ronda de {ref} ({when}). La próxima ronda mostrará esa respuesta.",
        "en": "You already answered the latest round of {ref} ({when}). The next round will show that answer.",
    },
    "pulse.respond.sent": {
        "es": "Enviado a las {count} personas a las que se preguntó en {ref}. La próxima ronda lo mostrará junto a la pregunta.",
        "en": "Sent to the {count} people asked in {ref}. The next round will show it next to the question.",
    },
}
