"""Every user-facing sentence, in Spanish (the default) and English.

Placeholders use str.format names; both languages take the same ones.
"""

CATALOG: dict[str, dict[str, str]] = {
    # Statuses, priorities, fields
    "status.new": {"es": "Nuevo", "en": "New"},
    "status.in_progress": {"es": "En curso", "en": "In progress"},
    "status.waiting_info": {"es": "Esperando información", "en": "Waiting for information"},
    "status.resolved": {"es": "Resuelto", "en": "Resolved"},
    "status.rejected": {"es": "Rechazado", "en": "Rejected"},
    "priority.urgent": {"es": "Urgente", "en": "Urgent"},
    "priority.high": {"es": "Alta", "en": "High"},
    "priority.normal": {"es": "Normal", "en": "Normal"},
    "priority.low": {"es": "Baja", "en": "Low"},
    "field.requester": {"es": "Solicitante", "en": "Requester"},
    "field.status": {"es": "Estado", "en": "Status"},
    "field.priority": {"es": "Prioridad", "en": "Priority"},
    "field.owner": {"es": "Responsable", "en": "Owner"},
    "field.nobody": {"es": "Sin asignar", "en": "Unassigned"},
    "field.customer": {"es": "Cliente", "en": "Customer"},
    "field.due": {"es": "Para", "en": "Due"},
    "field.team": {"es": "Equipo", "en": "Team"},
    "field.description": {"es": "Descripción", "en": "Description"},
    "field.question": {"es": "¿Qué información necesitas?", "en": "What information do you need?"},
    "field.note": {"es": "Nota de resolución (opcional)", "en": "Resolution note (optional)"},
    "field.reason": {"es": "Motivo", "en": "Reason"},
    "field.comment": {"es": "Comentario", "en": "Comment"},
    "field.person": {"es": "Persona", "en": "Person"},
    "field.new_team": {"es": "Nuevo equipo", "en": "New team"},
    # SLA
    "sla.kept": {"es": "SLA cumplido", "en": "SLA met"},
    "sla.missed": {"es": "SLA incumplido", "en": "SLA missed"},
    "sla.paused": {"es": "SLA en pausa: esperando al solicitante", "en": "SLA paused: waiting for the requester"},
    "sla.first_response_by": {"es": "Primera respuesta antes de {when}", "en": "First response by {when}"},
    "sla.resolution_by": {"es": "Resolución antes de {when}", "en": "Resolution by {when}"},
    "sla.state.at_risk": {"es": "⚠ En riesgo", "en": "⚠ At risk"},
    "sla.state.breached": {"es": "⛔ Vencido", "en": "⛔ Overdue"},
    # Actions (buttons)
    "action.claim": {"es": "Tomar", "en": "Claim"},
    "action.assign": {"es": "Asignar", "en": "Assign"},
    "action.ask_info": {"es": "Pedir información", "en": "Ask for information"},
    "action.resolve": {"es": "Resolver", "en": "Resolve"},
    "action.reject": {"es": "Rechazar", "en": "Reject"},
    "action.reassign": {"es": "Reasignar", "en": "Reassign"},
    "action.comment": {"es": "Comentar", "en": "Comment"},
    "action.reopen": {"es": "Reabrir", "en": "Reopen"},
    "action.rate_comment": {"es": "Añadir un comentario", "en": "Add a comment"},
    "action.send": {"es": "Enviar", "en": "Send"},
    "action.cancel": {"es": "Cancelar", "en": "Cancel"},
    "teams.welcome": {
        "es": "¡Hola! Soy Pedir: pide algo a otro equipo con «pedir @equipo qué necesitas», o escribe «pedir ayuda».",
        "en": "Hi! I'm Pedir: ask another team with “pedir @team what you need”, or type “pedir help”.",
    },
    "slack.convert.prompt": {
        "es": "¿Convertir este mensaje en un pedido a otro equipo?",
        "en": "Turn this message into a request to another team?",
    },
    "slack.convert.button": {"es": "Convertir en pedido", "en": "Make it a request"},
    # Cards
    "card.team.title": {"es": "{ref} · {team}", "en": "{ref} · {team}"},
    "card.requester.title": {"es": "Tu pedido {ref} a {team}", "en": "Your request {ref} to {team}"},
    "card.reassigned_away": {
        "es": "Reasignado a {team}: {reason}",
        "en": "Reassigned to {team}: {reason}",
    },
    "rating.prompt": {
        "es": "{team} ha resuelto {ref}. ¿Cómo valoras el servicio? (1 a 5)",
        "en": "{team} resolved {ref}. How would you rate the service? (1 to 5)",
    },
    # Notices sent to the other side
    "notice.claimed": {"es": "{owner} se encarga de {ref}.", "en": "{owner} is handling {ref}."},
    "notice.assigned_to_you": {
        "es": "{by} te ha asignado {ref}: {text}",
        "en": "{by} assigned {ref} to you: {text}",
    },
    "notice.info_requested": {
        "es": "{who} necesita información para {ref}: {question}\nResponde con un comentario y el pedido sigue su curso.",
        "en": "{who} needs information for {ref}: {question}\nReply with a comment and the request moves on.",
    },
    "notice.comment": {"es": "{who}: {text}", "en": "{who}: {text}"},
    "notice.resolved": {"es": "{who} ha resuelto {ref}.", "en": "{who} resolved {ref}."},
    "notice.resolved_note": {"es": "{who} ha resuelto {ref}: {note}", "en": "{who} resolved {ref}: {note}"},
    "notice.rejected": {"es": "{who} ha rechazado {ref}: {reason}", "en": "{who} rejected {ref}: {reason}"},
    "notice.reassigned": {
        "es": "{from_team} ha pasado {ref} a {team}: {reason}",
        "en": "{from_team} passed {ref} to {team}: {reason}",
    },
    "notice.flagged": {
        "es": "⚠ {ref} se ha reasignado {count} veces (ahora de {from_team} a {to_team}). Revisad juntos a quién corresponde.",
        "en": "⚠ {ref} has been reassigned {count} times (now from {from_team} to {to_team}). Please agree on who owns it.",
    },
    "notice.reopened": {"es": "{who} ha reabierto {ref}.", "en": "{who} reopened {ref}."},
    "notice.rated": {"es": "Valoración de {ref}: {stars}", "en": "Rating for {ref}: {stars}"},
    "notice.rating_comment": {"es": "Comentario a la valoración de {ref}: {comment}", "en": "Comment on the rating of {ref}: {comment}"},
    # Replies to the person who acted
    "reply.created": {
        "es": "Creado {ref} para {team}. {sla}",
        "en": "Created {ref} for {team}. {sla}",
    },
    "reply.claimed": {"es": "Has tomado {ref}.", "en": "You claimed {ref}."},
    "reply.assigned": {"es": "{ref} asignado a {person}.", "en": "{ref} assigned to {person}."},
    "reply.info_requested": {
        "es": "Pregunta enviada a {person}. El SLA de {ref} queda en pausa hasta su respuesta.",
        "en": "Question sent to {person}. The SLA of {ref} is paused until they answer.",
    },
    "reply.commented": {"es": "Comentario añadido a {ref}.", "en": "Comment added to {ref}."},
    "reply.resolved": {"es": "{ref} resuelto.", "en": "{ref} resolved."},
    "reply.rejected": {"es": "{ref} rechazado.", "en": "{ref} rejected."},
    "reply.reassigned": {"es": "{ref} pasado a {team}.", "en": "{ref} passed to {team}."},
    "reply.reopened": {"es": "{ref} reabierto.", "en": "{ref} reopened."},
    "reply.rated": {"es": "¡Gracias por tu valoración de {ref}!", "en": "Thanks for rating {ref}!"},
    "reply.rating_comment": {"es": "Comentario guardado. ¡Gracias!", "en": "Comment saved. Thanks!"},
    "reply.mine.empty": {"es": "No tienes pedidos abiertos.", "en": "You have no open requests."},
    "reply.mine.title": {"es": "Tus pedidos abiertos ({count})", "en": "Your open requests ({count})"},
    "reply.queue.empty": {"es": "La cola de {team} está vacía. 🎉", "en": "{team}'s queue is empty. 🎉"},
    "reply.queue.title": {"es": "Cola de {team} ({count})", "en": "{team} queue ({count})"},
    "reply.view.timeline": {"es": "Historial", "en": "Timeline"},
    "reply.teams.title": {"es": "Equipos ({count})", "en": "Teams ({count})"},
    "reply.team.customers": {"es": "Nuestros clientes internos", "en": "Our internal customers"},
    "reply.team.ask": {"es": "Pídenos", "en": "Ask us for"},
    "reply.team.needs": {"es": "Lo que necesitamos de ti", "en": "What we need from you"},
    "reply.team.lead": {"es": "Responsable del equipo", "en": "Team lead"},
    "reply.team.promise": {"es": "Nuestro compromiso (horario laboral)", "en": "Our promise (business hours)"},
    "reply.team.promise_line": {
        "es": "{priority}: primera respuesta en {first}, resolución en {resolution}",
        "en": "{priority}: first response within {first}, resolution within {resolution}",
    },
    "reply.team.record": {"es": "Últimos 30 días", "en": "Last 30 days"},
    "reply.team.record_line": {
        "es": "{share} de {count} pedidos resueltos a tiempo",
        "en": "{share} of {count} requests resolved on time",
    },
    "reply.team.record_line_one": {
        "es": "{share} de 1 pedido resuelto a tiempo",
        "en": "{share} of 1 request resolved on time",
    },
    "reply.team.record_none": {"es": "Aún no hay pedidos cerrados.", "en": "No closed requests yet."},
    "reply.open_form": {"es": "Rellena el formulario del pedido:", "en": "Fill in the request form:"},
    "reply.choose_team": {"es": "¿A qué equipo se lo pides?", "en": "Which team is it for?"},
    "reply.did_you_mean": {
        "es": "No encuentro el equipo «{team}». ¿Quisiste decir {choices}?",
        "en": "I can't find the team “{team}”. Did you mean {choices}?",
    },
    "reply.unknown_team": {
        "es": "No encuentro el equipo «{team}». Elige uno de la lista (o usa /equipos para verlos todos):",
        "en": "I can't find the team “{team}”. Pick one from the list (or use /equipos to see them all):",
    },
    "reply.unknown_team_list": {
        "es": "No encuentro el equipo «{team}». Los equipos son: {choices}.",
        "en": "I can't find the team “{team}”. The teams are: {choices}.",
    },
    "reply.suggest_teams": {
        "es": "No has indicado equipo. Por lo que cuentas, puede ser para:",
        "en": "You didn't name a team. From what you wrote, it may be for:",
    },
    "reply.draft_gone": {
        "es": "Esa elección ya no está disponible. Vuelve a escribir el pedido, por favor.",
        "en": "That choice is no longer available. Please type the request again.",
    },
    "reply.or": {"es": " o ", "en": " or "},
    "duration.minutes": {"es": "{n} min", "en": "{n} min"},
    "duration.hours": {"es": "{n} h", "en": "{n} h"},
    # Forms
    "form.new.title": {"es": "Nuevo pedido", "en": "New request"},
    "form.new.submit": {"es": "Crear pedido", "en": "Create request"},
    "form.assign.title": {"es": "Asignar {ref}", "en": "Assign {ref}"},
    # Modal titles: Slack cuts them at 24 characters, so keep room for the ref.
    "form.ask_info.title": {"es": "Pedir info · {ref}", "en": "Ask for info · {ref}"},
    "form.resolve.title": {"es": "Resolver {ref}", "en": "Resolve {ref}"},
    "form.reject.title": {"es": "Rechazar {ref}", "en": "Reject {ref}"},
    "form.reassign.title": {"es": "Reasignar {ref}", "en": "Reassign {ref}"},
    "form.comment.title": {"es": "Comentar {ref}", "en": "Comment on {ref}"},
    "form.rate_comment.title": {"es": "Tu opinión · {ref}", "en": "Your comment on {ref}"},
    # Bad input and refusals
    "input.empty.description": {
        "es": "Falta la descripción. Escribe qué necesitas, por ejemplo: /pedir @facturacion corregir la factura de #ACME",
        "en": "The description is missing. Say what you need, e.g.: /pedir @facturacion fix the #ACME invoice",
    },
    "input.empty.question": {"es": "Escribe la pregunta para el solicitante.", "en": "Write the question for the requester."},
    "input.empty.comment": {"es": "El comentario está vacío.", "en": "The comment is empty."},
    "input.empty.reason": {"es": "Indica el motivo.", "en": "Please give a reason."},
    "input.empty.note": {"es": "La nota está vacía.", "en": "The note is empty."},
    "input.empty.team": {"es": "Elige un equipo.", "en": "Choose a team."},
    "input.empty.person": {"es": "Elige una persona.", "en": "Choose a person."},
    "input.too_long": {
        "es": "El texto tiene {length} caracteres y el máximo es {limit}. Resúmelo o adjunta un enlace.",
        "en": "The text has {length} characters and the limit is {limit}. Shorten it or add a link.",
    },
    "input.bad_priority": {
        "es": "Prioridad «{value}» desconocida: usa !urgente, !alta, !normal o !baja.",
        "en": "Unknown priority “{value}”: use !urgent, !high, !normal or !low.",
    },
    "input.bad_date": {
        "es": "No entiendo la fecha «{value}». Usa para:AAAA-MM-DD, para:viernes o para:mañana.",
        "en": "I don't understand the date “{value}”. Use due:YYYY-MM-DD, due:friday or due:tomorrow.",
    },
    "input.past_date": {
        "es": "La fecha {value} ya ha pasado. Indica una fecha de hoy en adelante.",
        "en": "The date {value} is in the past. Give today or a later date.",
    },
    "input.bad_rating": {"es": "La valoración va de 1 a 5.", "en": "Ratings go from 1 to 5."},
    "input.bad_request_id": {
        "es": "No entiendo el número de pedido «{value}». Usa el formato PED-12.",
        "en": "I don't understand the request number “{value}”. Use the form PED-12.",
    },
    "input.missing_argument": {
        "es": "Falta algo en «{value}». Escribe {help} para ver cómo se usa.",
        "en": "Something is missing in “{value}”. Type {help} to see how it works.",
    },
    "interaction.invalid": {
        "es": "No entiendo este botón: no es de esta tarjeta o le falta algo. Usa los botones del último mensaje de Pedir, o escribe /pedir ayuda.",
        "en": "I can't read this button: it does not belong to this card or something is missing. Use the buttons on Pedir's latest message, or type /pedir help.",
    },
    "interaction.stale": {
        "es": "Este botón es de otra versión de Pedir y ya no vale. Usa los botones del último mensaje de Pedir, o escribe /pedir ayuda.",
        "en": "This button comes from another version of Pedir and no longer works. Use the buttons on Pedir's latest message, or type /pedir help.",
    },
    "input.unknown_command": {
        "es": "No conozco el comando «{value}». Escribe /pedir ayuda.",
        "en": "I don't know the command “{value}”. Type /pedir help.",
    },
    "input.unknown_person": {
        "es": "No encuentro a «{value}». Indica su email.",
        "en": "I can't find “{value}”. Give their email.",
    },
    "input.queue_team": {
        "es": "¿De qué equipo? Escribe /pedir cola @equipo.",
        "en": "Which team? Type /pedir queue @team.",
    },
    "perm.not_member": {
        "es": "Solo el equipo {team} puede hacer eso con {ref}.",
        "en": "Only the {team} team can do that with {ref}.",
    },
    "perm.not_lead": {
        "es": "Solo la persona responsable de {team} puede asignar {ref}.",
        "en": "Only the lead of {team} can assign {ref}.",
    },
    "perm.not_party": {
        "es": "Solo el solicitante y el equipo {team} participan en {ref}.",
        "en": "Only the requester and the {team} team take part in {ref}.",
    },
    "perm.not_requester": {
        "es": "Solo quien pidió {ref} puede hacer eso.",
        "en": "Only the person who made {ref} can do that.",
    },
    "perm.queue": {
        "es": "Solo los miembros de {team} ven su cola. Usa /equipo @{slug} para ver su ficha.",
        "en": "Only members of {team} see its queue. Use /equipo @{slug} to see its card.",
    },
    "request.unknown": {
        "es": "No existe el pedido {id}. Revisa el número o usa /pedir mis.",
        "en": "There is no request {id}. Check the number or use /pedir mine.",
    },
    "request.closed": {
        "es": "{ref} ya está cerrado. Si hace falta, quien lo pidió puede reabrirlo.",
        "en": "{ref} is already closed. If needed, the requester can reopen it.",
    },
    "request.already_claimed": {"es": "{ref} ya lo tiene {owner}.", "en": "{owner} already has {ref}."},
    "request.assignee_not_member": {
        "es": "{person} no es del equipo {team}.",
        "en": "{person} is not in the {team} team.",
    },
    "request.already_waiting": {
        "es": "{ref} ya está esperando información del solicitante.",
        "en": "{ref} is already waiting for information from the requester.",
    },
    "request.same_team": {"es": "El pedido ya es de {team}.", "en": "The request already belongs to {team}."},
    "request.not_resolved": {"es": "{ref} no está resuelto.", "en": "{ref} is not resolved."},
    "request.reopen_expired": {
        "es": "{ref} se resolvió hace más de {days} días: crea un pedido nuevo y menciona {ref}.",
        "en": "{ref} was resolved more than {days} days ago: create a new request and mention {ref}.",
    },
    "request.already_rated": {"es": "Ya valoraste {ref}. ¡Gracias!", "en": "You already rated {ref}. Thanks!"},
    "request.not_rated": {"es": "Primero valora {ref} de 1 a 5.", "en": "First rate {ref} from 1 to 5."},
    "error.internal": {
        "es": "Algo ha fallado por nuestra parte y no se ha guardado nada. Inténtalo de nuevo en un momento.",
        "en": "Something failed on our side and nothing was saved. Please try again in a moment.",
    },
    # The requests' own commands; bot.requests.commands.handlers adds a line per other command.
    "help.text": {
        "es": (
            "*Pedir* — pedidos entre equipos\n"
            "• /pedir @equipo qué necesitas [#CLIENTE] [!urgente|!alta|!normal|!baja] [para:AAAA-MM-DD|para:viernes|para:mañana]\n"
            "• /pedir — abre el formulario\n"
            "• /pedir mis — tus pedidos abiertos\n"
            "• /pedir cola [@equipo] — la cola de tu equipo (de cada uno, si estás en varios), con su SLA\n"
            "• /pedir ver PED-12 — detalle e historial\n"
            "• /pedir cancelar PED-12 [motivo] — retira un pedido tuyo\n"
            "• /pedir panel — un enlace al panel web (15 minutos, un solo uso)\n"
            "• /pedir tomar|resolver|rechazar|info|comentar|reasignar|asignar|reabrir|valorar PED-12 …\n"
            "• /pedir idioma es|en — el idioma en que te escribe Pedir"
        ),
        "en": (
            "*Pedir* — requests between teams\n"
            "• /pedir @team what you need [#CUSTOMER] [!urgent|!high|!normal|!low] [due:YYYY-MM-DD|due:friday|due:tomorrow]\n"
            "• /pedir — opens the form\n"
            "• /pedir mine — your open requests\n"
            "• /pedir queue [@team] — your team's queue (each of them, if you are in several), with its SLA\n"
            "• /pedir view PED-12 — details and timeline\n"
            "• /pedir cancel PED-12 [reason] — withdraw a request of yours\n"
            "• /pedir panel — a link to the web dashboard (15 minutes, one use)\n"
            "• /pedir claim|resolve|reject|ask|comment|reassign|assign|reopen|rate PED-12 …\n"
            "• /pedir language en|es — the language Pedir writes to you in"
        ),
    },
    "event.created": {"es": "creó el pedido", "en": "created the request"},
    "event.claimed": {"es": "lo tomó", "en": "claimed it"},
    "event.assigned": {"es": "lo asignó", "en": "assigned it"},
    "event.info_requested": {"es": "pidió información", "en": "asked for information"},
    "event.info_provided": {"es": "respondió", "en": "answered"},
    "event.commented": {"es": "comentó", "en": "commented"},
    "event.resolved": {"es": "lo resolvió", "en": "resolved it"},
    "event.rejected": {"es": "lo rechazó", "en": "rejected it"},
    "event.reassigned": {"es": "lo reasignó", "en": "reassigned it"},
    "event.reopened": {"es": "lo reabrió", "en": "reopened it"},
    "event.rated": {"es": "lo valoró", "en": "rated it"},
    "event.rating_comment": {"es": "comentó la valoración", "en": "commented on the rating"},
    "event.flagged": {"es": "marcado por reasignaciones repetidas", "en": "flagged for repeated reassignment"},
    # Commands people reach for first: withdrawing a request, unknown words, the language.
    "status.withdrawn": {"es": "Retirado", "en": "Withdrawn"},
    "sla.withdrawn": {"es": "Retirado por el solicitante", "en": "Withdrawn by the requester"},
    "action.withdraw": {"es": "Retirar", "en": "Withdraw"},
    "form.withdraw.title": {"es": "Retirar {ref}", "en": "Withdraw {ref}"},
    "event.withdrawn": {"es": "lo retiró", "en": "withdrew it"},
    "notice.withdrawn": {"es": "{who} ha retirado {ref}: ya no hace falta.", "en": "{who} withdrew {ref}: it is no longer needed."},
    "notice.withdrawn_reason": {"es": "{who} ha retirado {ref}: {reason}", "en": "{who} withdrew {ref}: {reason}"},
    "reply.withdrawn": {"es": "{ref} retirado. {team} ya lo sabe.", "en": "{ref} withdrawn. {team} has been told."},
    "request.already_withdrawn": {"es": "{ref} ya está retirado.", "en": "{ref} is already withdrawn."},
    "request.withdraw_closed": {
        "es": "{ref} ya está cerrado: no hace falta retirarlo.", "en": "{ref} is already closed: there is nothing to withdraw.",
    },
    "input.unknown_word": {
        "es": "No conozco el comando «{value}». {hint}Los comandos son: {commands}. Escribe {help} para ver qué hace cada uno.",
        "en": "I don't know the command “{value}”. {hint}The commands are: {commands}. Type {help} to see what each one does.",
    },
    "input.unknown_verb": {
        "es": "No conozco «{value}». {hint}Tras {command} puedes escribir: {verbs}. Escribe {help} para ver cómo se usan.",
        "en": "I don't know “{value}”. {hint}After {command} you can write: {verbs}. Type {help} to see how they work.",
    },
    "input.did_you_mean_word": {"es": "¿Quisiste decir «{word}»?", "en": "Did you mean “{word}”?"},
    "input.bad_language": {
        "es": "No hablo «{value}». Elige es (español) o en (English), p. ej. /pedir idioma en.",
        "en": "I don't speak “{value}”. Choose es (español) or en (English), e.g. /pedir language es.",
    },
    "reply.queues.title": {"es": "Las colas de tus equipos ({count})", "en": "Your teams' queues ({count})"},
}
