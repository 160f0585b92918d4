"""Sentences for setting pulses up: the form, its refusals, the pulse read back."""

from __future__ import annotations

_ES_EN = tuple[str, str]

_SENTENCES: dict[str, _ES_EN] = {
    # ---------------------------------------------------------------- refusals: what to write instead
    "pulse.setup.no_question": (
        "Escribe al menos una pregunta (hasta tres).",
        "Write at least one question (up to three)."),
    "pulse.setup.bad_kind": (
        "«{value}» no es un tipo de pregunta: elige escala 1–5, eNPS 0–10 o texto libre.",
        "“{value}” is not a question type: choose 1–5 scale, eNPS 0–10 or open text."),
    "pulse.setup.question_too_long": (
        "La pregunta tiene {length} caracteres; acórtala a {limit} como mucho.",
        "The question is {length} characters long; keep it to {limit} at most."),
    "pulse.setup.bad_yes_no": (
        "«{value}»: responde sí o no.",
        "“{value}”: answer yes or no."),
    "pulse.setup.audience_empty": (
        "Di a quién preguntar: todos, equipos con @ (@soporte @ventas) o emails de personas.",
        "Say whom to ask: everyone (todos), teams with @ (@soporte @ventas) or people's emails."),
    "pulse.setup.audience_unknown": (
        "No encuentro a «{value}»: escribe @equipo, el email de una persona o todos.",
        "I can't find “{value}”: write @team, a person's email or everyone."),
    "pulse.setup.audience_did_you_mean": (
        "No encuentro a «{value}». ¿Quisiste decir {choices}?",
        "I can't find “{value}”. Did you mean {choices}?"),
    "pulse.setup.audience_unknown_person": (
        "No conozco a nadie con el email {value}. Revisa cómo está escrito o usa @equipo.",
        "I know nobody with the email {value}. Check the spelling or use @team."),
    "pulse.setup.audience_nobody": (
        "Esos equipos no tienen a nadie todavía: añade personas o elige otro público.",
        "Those teams have nobody in them yet: add people or choose another audience."),
    "pulse.setup.bad_schedule": (
        "«{value}» no es una frecuencia: elige una vez, semanal, cada 2 semanas, mensual o cron.",
        "“{value}” is not a schedule: choose once, weekly, every 2 weeks, monthly or cron."),
    "pulse.setup.start_missing": (
        "Indica la fecha de la primera ronda, como 2027-01-12.",
        "Give the date of the first round, such as 2027-01-12."),
    "pulse.setup.bad_date": (
        "No entiendo la fecha «{value}». Escríbela así: 2027-01-12.",
        "I don't understand the date “{value}”. Write it like 2027-01-12."),
    "pulse.setup.start_past": (
        "La fecha {value} ya ha pasado. Elige hoy o una fecha posterior.",
        "The date {value} is in the past. Choose today or a later date."),
    "pulse.setup.start_far": (
        "La fecha {value} está a más de un año. Elige una fecha dentro de los próximos doce meses.",
        "The date {value} is more than a year away. Choose a date within the next twelve months."),
    "pulse.setup.bad_time": (
        "«{value}» no es una hora: escríbela como HH:MM, por ejemplo 10:00.",
        "“{value}” is not a time: write it as HH:MM, for example 10:00."),
    "pulse.setup.time_past": (
        "Hoy a las {value} ya ha pasado. Elige una hora más tarde u otro día.",
        "Today at {value} has passed. Choose a later time or another day."),
    "pulse.setup.cron_missing": (
        "Escribe la expresión cron: minuto hora día mes día-de-la-semana, como 0 10 * * 1 (los lunes a las 10:00).",
        "Write the cron expression: minute hour day month weekday, such as 0 10 * * 1 (Mondays at 10:00)."),
    "pulse.setup.cron_invalid": (
        "«{value}» no es una expresión cron válida. Usa cinco campos: minuto hora día mes día-de-la-semana, "
        "como 0 10 * * 1 (los lunes a las 10:00) o 30 9 1 * * (el día 1 de cada mes a las 9:30).",
        "“{value}” is not a valid cron expression. Use five fields: minute hour day month weekday, "
        "such as 0 10 * * 1 (Mondays at 10:00) or 30 9 1 * * (the 1st of each month at 9:30)."),
    "pulse.setup.cron_time": (
        "«{value}»: un pulso sale como mucho una vez al día, así que pon un minuto y una hora fijos, como 0 10 * * 1.",
        "“{value}”: a pulse goes out at most once a day, so give one minute and one hour, such as 0 10 * * 1."),
    "pulse.setup.cron_never": (
        "«{value}» no se cumple nunca (por ejemplo, un 30 de febrero). Elige días que existan, como 0 10 1 * *.",
        "“{value}” never fires (a 30 February, say). Choose days that exist, such as 0 10 1 * *."),
    "pulse.setup.cron_unused": (
        "La expresión cron solo vale con la frecuencia «cron»: elígela, o deja este campo vacío.",
        "A cron expression only applies to the “cron” schedule: choose it, or leave this field empty."),
    "pulse.setup.bad_window": (
        "«{value}»: la ventana es de {low} a {high} días laborables.",
        "“{value}”: the window is {low} to {high} business days."),
    "pulse.setup.bad_reminder": (
        "«{value}»: el recordatorio va de {low} a {high} días laborables tras el envío (antes de que cierre), "
        "o escribe no.",
        "“{value}”: the reminder goes {low} to {high} business days after sending (before it closes), or write no."),
    "pulse.setup.reminder_one_day": (
        "Con una ventana de un día no cabe un recordatorio: escribe no, o alarga la ventana.",
        "A one-day window leaves no room for a reminder: write no, or make the window longer."),
    "pulse.setup.bad_min_answers": (
        "«{value}»: el mínimo de respuestas para mostrar resultados va de {low} a {high}.",
        "“{value}”: the minimum number of answers before results show is {low} to {high}."),
    "pulse.setup.anonymous_explicit": (
        "«{value}»: elige «sí» (anónimo) o, si de verdad quieres respuestas con nombre, la opción «no — las "
        "respuestas llevarán nombre».",
        "“{value}”: choose “yes” (anonymous) or, if you really want named answers, the option “no — answers "
        "will carry names”."),
    "pulse.setup.not_yours": (
        "{ref} lo ven RR. HH. y quien lidera el equipo por el que pregunta.",
        "{ref} is for HR and the lead of the team it asks about."),
    "pulse.setup.already_paused": ("{ref} ya está en pausa.", "{ref} is already paused."),
    "pulse.setup.not_paused": ("{ref} no está en pausa.", "{ref} is not paused."),
    "pulse.setup.is_cancelled": ("{ref} está cancelado.", "{ref} is cancelled."),
    "pulse.setup.is_finished": (
        "{ref} ya salió (era de una sola vez). Crea otro con /pulso nuevo.",
        "{ref} has gone out (it was a one-off). Create another with /pulso new."),
    "pulse.setup.nothing_ahead": (
        "{ref} no tiene más fechas por delante. Crea otro con /pulso nuevo.",
        "{ref} has no dates left ahead. Create another with /pulso new."),
    "pulse.setup.creator_missing": (
        "Di quién crea el pulso: --by EMAIL o created_by = \"email\" en el fichero (alguien de RR. HH.).",
        "Say who creates the pulse: --by EMAIL or created_by = \"email\" in the file (someone in HR)."),
    "pulse.setup.creator_unknown": (
        "No conozco a nadie con el email {value}. Importa antes el fichero de la organización.",
        "I know nobody with the email {value}. Import the organisation file first."),
    # ---------------------------------------------------------------- the file (pedir pulse create --file)
    "pulse.setup.file.toml": ("no es TOML válido: {reason}", "invalid TOML: {reason}"),
    "pulse.setup.file.unknown_key": (
        "clave desconocida: usa una de {keys}", "unknown key: use one of {keys}"),
    "pulse.setup.file.table": (
        "debe ser una tabla: [schedule] con kind, start, time y cron",
        "must be a table: [schedule] with kind, start, time and cron"),
    "pulse.setup.file.questions": (
        "cada pregunta es una tabla [[questions]] con kind y text",
        "each question is a [[questions]] table with kind and text"),
    "pulse.setup.file.too_many": (
        "como mucho tres preguntas: quita las que sobran", "at most three questions: remove the rest"),
    "pulse.setup.file.not_text": ("debe ser un texto entre comillas", "must be text in quotes"),
    "pulse.setup.file.not_bool": ("debe ser true o false", "must be true or false"),
    "pulse.setup.file.not_number": ("debe ser un número entero, sin comillas", "must be a whole number, without quotes"),
    # ---------------------------------------------------------------- the form
    "pulse.setup.form.title": ("Nuevo pulso", "New pulse"),
    "pulse.setup.form.submit": ("Crear", "Create"),
    "pulse.setup.field.question": ("Pregunta {n}", "Question {n}"),
    "pulse.setup.field.kind": ("Tipo de la pregunta {n}", "Question {n} type"),
    "pulse.setup.field.comment": ("¿Comentario libre al final?", "A free comment at the end?"),
    "pulse.setup.field.subject": ("¿Sobre qué equipo?", "About which team?"),
    "pulse.setup.field.audience": (
        "A quién (todos, @equipo @otro, emails)", "Whom to ask (everyone, @team @other, emails)"),
    "pulse.setup.field.schedule": ("Frecuencia", "Schedule"),
    "pulse.setup.field.start": ("Primera fecha (AAAA-MM-DD)", "First date (YYYY-MM-DD)"),
    "pulse.setup.field.time": ("Hora local de cada persona (HH:MM)", "Each person's local time (HH:MM)"),
    "pulse.setup.field.cron": (
        "Expresión cron (solo con «cron»; su hora manda)", "Cron expression (only for “cron”; its time applies)"),
    "pulse.setup.field.window": ("Días laborables para responder (1–10)", "Business days to answer (1–10)"),
    "pulse.setup.field.reminder": (
        "Recordatorio a quien no responda: tras cuántos días laborables (o no)",
        "Reminder to non-respondents: after how many business days (or no)"),
    "pulse.setup.field.anonymous": ("¿Anónimo?", "Anonymous?"),
    "pulse.setup.field.min_answers": (
        "Mínimo de respuestas para ver resultados (3–25)", "Minimum answers before results show (3–25)"),
    "pulse.setup.choice.yes": ("Sí", "Yes"),
    "pulse.setup.choice.no": ("No", "No"),
    "pulse.setup.choice.anonymous": ("Sí, anónimo", "Yes, anonymous"),
    "pulse.setup.choice.named": ("No — las respuestas llevarán nombre", "No — answers will carry names"),
    "pulse.setup.kind.scale": ("escala 1–5", "1–5 scale"),
    "pulse.setup.kind.enps": ("eNPS 0–10", "eNPS 0–10"),
    "pulse.setup.kind.text": ("texto libre", "open text"),
    "pulse.setup.schedule.once": ("Una vez", "Once"),
    "pulse.setup.schedule.weekly": ("Cada semana", "Weekly"),
    "pulse.setup.schedule.biweekly": ("Cada 2 semanas", "Every 2 weeks"),
    "pulse.setup.schedule.monthly": ("Cada mes (el mismo día de la semana)", "Monthly (the same weekday)"),
    "pulse.setup.schedule.cron": ("Expresión cron", "Cron expression"),
    # ---------------------------------------------------------------- the schedule in words
    "pulse.setup.when.once": (
        "una vez, el {weekday} {start} a las {at}", "once, on {weekday} {start} at {at}"),
    "pulse.setup.when.weekly": (
        "cada semana, los {weekday} a las {at}, desde el {start}", "weekly, on {weekday}s at {at}, from {start}"),
    "pulse.setup.when.biweekly": (
        "cada 2 semanas, los {weekday} a las {at}, desde el {start}",
        "every 2 weeks, on {weekday}s at {at}, from {start}"),
    "pulse.setup.when.monthly": (
        "cada mes, el {nth} {weekday} a las {at}, desde el {start}",
        "monthly, on the {nth} {weekday} at {at}, from {start}"),
    "pulse.setup.when.cron": ("{words} (cron «{cron}»), desde el {start}", "{words} (cron “{cron}”), from {start}"),
    "pulse.setup.nth.1": ("primer", "first"),
    "pulse.setup.nth.2": ("segundo", "second"),
    "pulse.setup.nth.3": ("tercer", "third"),
    "pulse.setup.nth.4": ("cuarto", "fourth"),
    "pulse.setup.nth.5": ("último", "last"),
    # ---------------------------------------------------------------- the pulse read back
    "pulse.setup.created": ("Pulso {ref} creado.", "Pulse {ref} created."),
    "pulse.setup.created_named": (
        "⚠ No es anónimo: cada persona verá que su respuesta lleva su nombre antes de responder.",
        "⚠ Not anonymous: everyone will see that their answer carries their name before answering."),
    "pulse.setup.card_title": ("{ref} · {subject}", "{ref} · {subject}"),
    "pulse.setup.general": ("General", "General"),
    "pulse.setup.everyone": ("Todos", "Everyone"),
    "pulse.setup.audience_count": ("{names} ({count} personas hoy)", "{names} ({count} people today)"),
    "pulse.setup.with_comment": ("+ un comentario libre, opcional", "+ an optional free comment"),
    "pulse.setup.window_days": ("{days} días laborables de cada persona", "{days} business days of each person"),
    "pulse.setup.reminder_after": (
        "uno, a los {days} días laborables, a quien no haya respondido",
        "one, after {days} business days, to whoever has not answered"),
    "pulse.setup.no_reminder": ("ninguno", "none"),
    "pulse.setup.anonymous": (
        "anónimo: nadie puede unir una respuesta con una persona",
        "anonymous: nobody can tie an answer to a person"),
    "pulse.setup.named": (
        "NO anónimo: las respuestas llevan nombre, y cada persona lo ve antes de responder",
        "NOT anonymous: answers carry names, and everyone sees so before answering"),
    "pulse.setup.threshold": (
        "los resultados se ven con {n} respuestas o más", "results show with {n} answers or more"),
    "pulse.setup.state.active": ("activo", "active"),
    "pulse.setup.state.paused": ("en pausa", "paused"),
    "pulse.setup.state.cancelled": ("cancelado", "cancelled"),
    "pulse.setup.state.finished": ("terminado", "finished"),
    "pulse.setup.state_next": ("{state} · próxima ronda: {day}", "{state} · next round: {day}"),
    "pulse.setup.round_state.open": ("abierta", "open"),
    "pulse.setup.round_state.closed": ("cerrada", "closed"),
    "pulse.setup.round_line": (
        "Ronda {number} · {day} · {state} · cierra {closes} · han respondido {answered} de {asked}",
        "Round {number} · {day} · {state} · closes {closes} · {answered} of {asked} answered"),
    "pulse.setup.label.questions": ("Preguntas", "Questions"),
    "pulse.setup.label.subject": ("Sobre", "About"),
    "pulse.setup.label.audience": ("A quién", "Audience"),
    "pulse.setup.label.schedule": ("Cuándo (hora local de cada persona, en su día laborable)",
                                   "When (each person's local time, on their business day)"),
    "pulse.setup.label.window": ("Para responder", "To answer"),
    "pulse.setup.label.reminder": ("Recordatorio", "Reminder"),
    "pulse.setup.label.anonymity": ("Anonimato", "Anonymity"),
    "pulse.setup.label.threshold": ("Umbral", "Threshold"),
    "pulse.setup.label.state": ("Estado", "State"),
    "pulse.setup.label.rounds": ("Rondas", "Rounds"),
    "pulse.setup.list_title": ("Pulsos ({count})", "Pulses ({count})"),
    "pulse.setup.list_line": (
        "*{ref}* · {subject} · {state}\n    {when} · «{question}»",
        "*{ref}* · {subject} · {state}\n    {when} · “{question}”"),
    "pulse.setup.list_empty": (
        "Todavía no hay pulsos. Crea uno con /pulso nuevo.", "No pulses yet. Create one with /pulso new."),
    "pulse.setup.list_none_yours": (
        "No hay pulsos sobre equipos que lideres. Los pulsos los crea RR. HH.",
        "There are no pulses about teams you lead. HR creates pulses."),
    "pulse.setup.paused": (
        "{ref} en pausa: no saldrá ninguna ronda nueva hasta que lo reanudes (/pulso reanudar {ref}).",
        "{ref} paused: no new round goes out until you resume it (/pulso resume {ref})."),
    "pulse.setup.resumed": (
        "{ref} reanudado. Próxima ronda: {day}. Las fechas que pasaron en pausa no se envían.",
        "{ref} resumed. Next round: {day}. Dates that passed while paused are not sent."),
    "pulse.setup.cancelled": ("{ref} cancelado: no saldrán más rondas.", "{ref} cancelled: no more rounds go out."),
    "pulse.setup.cancelled_dropped": (
        "{ref} cancelado: no saldrán más rondas, y {count} invitaciones de la ronda abierta ya no se enviarán.",
        "{ref} cancelled: no more rounds go out, and {count} invitations of the open round will not be sent."),
    "pulse.setup.round_nobody": (
        "El pulso {ref} no ha salido el {day}: no hay nadie en su público. Revisa a quién pregunta con /pulso ver {ref}.",
        "Pulse {ref} did not go out on {day}: nobody is in its audience. Check whom it asks with /pulso show {ref}."),
}

SETUP_CATALOG: dict[str, dict[str, str]] = {key: {"es": es, "en": en} for key, (es, en) in _SENTENCES.items()}
