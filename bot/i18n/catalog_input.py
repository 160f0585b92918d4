"""What Pedir says about what people typed: a part missing from a command,
a date it could not read, a customer or team it had to guess, and the notes
it adds to an answer so nothing is taken silently.

Placeholders use str.format names; both languages take the same ones.
"""

INPUT_CATALOG: dict[str, dict[str, str]] = {
    # A /pedir command without one of its parts; {value} is what was typed so far.
    "input.missing.request_id": {
        "es": "Falta el número del pedido. Por ejemplo: /pedir {value} PED-12",
        "en": "The request number is missing. For example: /pedir {value} PED-12",
    },
    "input.missing.question": {
        "es": "Falta la pregunta para el solicitante. Por ejemplo: /pedir {value} ¿De qué mes es la factura?",
        "en": "The question for the requester is missing. For example: /pedir {value} Which month is the invoice from?",
    },
    "input.missing.reason": {
        "es": "Falta el motivo. Por ejemplo: /pedir {value} no es de nuestro equipo",
        "en": "The reason is missing. For example: /pedir {value} it is not ours",
    },
    "input.missing.team_and_reason": {
        "es": "Falta el equipo al que pasarlo y el motivo. Por ejemplo: /pedir {value} @legal es un contrato",
        "en": "The team to pass it to and the reason are missing. For example: /pedir {value} @legal it is a contract",
    },
    "input.missing.assignee": {
        "es": "Falta a quién asignarlo. Por ejemplo: /pedir {value} @ana.garcia (o su email)",
        "en": "Who to assign it to is missing. For example: /pedir {value} @ana.garcia (or their email)",
    },
    "input.missing.comment": {
        "es": "Falta el comentario. Por ejemplo: /pedir {value} lo miro esta tarde",
        "en": "The comment is missing. For example: /pedir {value} I'll look at it this afternoon",
    },
    "input.missing.rating": {
        "es": "Falta la valoración, de 1 a 5. Por ejemplo: /pedir {value} 5 muy rápido, gracias",
        "en": "The rating, from 1 to 5, is missing. For example: /pedir {value} 5 quick, thanks",
    },
    # The request form's date field: a date alone, no "para:" needed.
    "input.bad_date_field": {
        "es": "No entiendo la fecha «{value}». Escribe, por ejemplo, 2027-01-10, 15 de diciembre, viernes, mañana o en 2 semanas.",
        "en": "I don't understand the date “{value}”. Write, for example, 2027-01-10, December 15, Friday, tomorrow or in 2 weeks.",
    },
    "form.due.placeholder": {
        "es": "2027-01-10, 15 de diciembre, viernes, mañana…",
        "en": "2027-01-10, December 15, Friday, tomorrow…",
    },
    # Notes added to "Creado PED-3 para …": what was taken from the text, and what was not.
    "reply.due_from_text": {
        "es": "Fecha límite: {day} (por «{phrase}»).",
        "en": "Due date: {day} (from “{phrase}”).",
    },
    "reply.due_unread": {
        "es": "No entiendo la fecha «{phrase}», así que el pedido queda sin fecha límite. "
              "Si la tiene, díselo al equipo: /pedir comentar {ref} lo necesito para el 15 de diciembre",
        "en": "I can't read the date “{phrase}”, so the request has no due date. "
              "If it has one, tell the team: /pedir comment {ref} I need it by December 15",
    },
    "reply.due_past": {
        "es": "«{phrase}» ya ha pasado, así que el pedido queda sin fecha límite.",
        "en": "“{phrase}” has already passed, so the request has no due date.",
    },
    "reply.other_teams": {
        "es": "Un pedido va a un solo equipo: este es para {team}, y {others} queda solo en el texto. "
              "Si también necesitas algo de {others}, pídeselo aparte.",
        "en": "A request goes to one team: this one is for {team}, and {others} stays only in the text. "
              "If you need something from {others} too, ask them separately.",
    },
    "reply.due_before_sla": {
        "es": "Ojo: lo pides para el {day}, pero el plazo de resolución de {team} llega hasta {when}. "
              "Si no puede esperar, díselo con un comentario o usa !urgente.",
        "en": "Note: you need it by {day}, but {team}'s resolution time runs until {when}. "
              "If it cannot wait, tell them in a comment or use !urgent.",
    },
    "notice.due_before_sla": {
        "es": "⚠ {who} necesita {ref} para el {day}, antes de que acabe vuestro plazo de resolución ({when}).",
        "en": "⚠ {who} needs {ref} by {day}, before your resolution time is up ({when}).",
    },
    # A customer tag that names no known customer, but nearly one.
    "reply.customer_did_you_mean": {
        "es": "No conozco el cliente «#{customer}». ¿Es uno de estos?",
        "en": "I don't know the customer “#{customer}”. Is it one of these?",
    },
    "action.keep_customer": {"es": "Dejar «#{customer}»", "en": "Keep “#{customer}”"},
    # Reopening what cannot be reopened.
    "request.reopen_rejected": {
        "es": "{ref} fue rechazado y un pedido rechazado no se reabre. Si aún lo necesitas, crea uno nuevo y menciona {ref}.",
        "en": "{ref} was rejected, and a rejected request is not reopened. If you still need it, create a new one and mention {ref}.",
    },
    "request.still_open": {
        "es": "{ref} sigue abierto: no hace falta reabrirlo. Para añadir algo, coméntalo: /pedir comentar {ref} …",
        "en": "{ref} is still open: there is no need to reopen it. To add something, comment: /pedir comment {ref} …",
    },
    # /incidencia añadir|quitar with a name that is neither a team nor a person.
    "input.unknown_stakeholder_team": {
        "es": "No encuentro «{value}» ni como equipo ni como persona. ¿Quisiste decir {choices}?",
        "en": "I can't find “{value}” as a team or as a person. Did you mean {choices}?",
    },
    "input.unknown_stakeholder_any": {
        "es": "No encuentro «{value}» ni como equipo ni como persona. Los equipos son: {teams}. "
              "A una persona, por su email o su usuario (ana.garcia).",
        "en": "I can't find “{value}” as a team or as a person. The teams are: {teams}. "
              "A person, by their email or handle (ana.garcia).",
    },
    # A time shown in the reader's zone, when the team's clock reads another hour.
    "when.zone": {"es": "hora de {city}", "en": "{city} time"},
    # The console
    "console.form.retry": {
        "es": "(corrige lo marcado; Intro deja lo que ya escribiste, «-» lo borra y Ctrl-C cancela)",
        "en": "(fix what is marked; Enter keeps what you typed, “-” clears it and Ctrl-C cancels)",
    },
    "console.form.bad_choice": {
        "es": "(elige un número del 1 al {last})",
        "en": "(choose a number from 1 to {last})",
    },
}
