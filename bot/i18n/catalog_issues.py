"""User-facing text for customers, issues, status updates and risk flags.

Placeholders use str.format names; both languages take the same ones.
"""

ISSUE_CATALOG: dict[str, dict[str, str]] = {
    # Fields and states
    "field.severity": {"es": "Severidad", "en": "Severity"},
    "field.state": {"es": "Estado", "en": "State"},
    "field.owner_team": {"es": "Equipo responsable", "en": "Owner team"},
    "field.account_manager": {"es": "Gestor de cuenta", "en": "Account manager"},
    "field.update": {"es": "Nuevo estado", "en": "New status"},
    "input.empty.update": {"es": "Escribe qué ha cambiado.", "en": "Say what has changed."},
    "severity.sev1": {"es": "SEV1 · crítica", "en": "SEV1 · critical"},
    "severity.sev2": {"es": "SEV2 · alta", "en": "SEV2 · high"},
    "severity.sev3": {"es": "SEV3 · media", "en": "SEV3 · medium"},
    "severity.sev4": {"es": "SEV4 · baja", "en": "SEV4 · low"},
    "issue_state.open": {"es": "Abierta", "en": "Open"},
    "issue_state.monitoring": {"es": "En vigilancia", "en": "Monitoring"},
    "issue_state.closed": {"es": "Cerrada", "en": "Closed"},
    # The issue card
    "issue.update_due": {"es": "Próxima actualización antes de {when}", "en": "Next update due by {when}"},
    "issue.update_overdue": {
        "es": "⛔ Actualización pendiente desde {when}", "en": "⛔ Update overdue since {when}",
    },
    "issue.closed_on": {"es": "Cerrada el {when}", "en": "Closed on {when}"},
    "issue.no_status_yet": {"es": "Aún no hay ninguna actualización.", "en": "No update yet."},
    "issue.latest": {"es": "*Último estado* ({who}, {when}):\n{text}", "en": "*Latest status* ({who}, {when}):\n{text}"},
    "issue.opened_ago": {"es": "abierta {age}", "en": "opened {age}"},
    "issue.last_status": {"es": "Último estado {age}: {text}", "en": "Latest status {age}: {text}"},
    "action.post_status": {"es": "Publicar estado", "en": "Post status"},
    "action.close_issue": {"es": "Cerrar", "en": "Close"},
    "action.follow": {"es": "Seguir", "en": "Follow"},
    "action.ack": {"es": "Entendido", "en": "Got it"},
    "form.post_status.title": {"es": "Estado de {ref}", "en": "Status of {ref}"},
    "form.close.title": {"es": "Cerrar {ref}", "en": "Close {ref}"},
    # Status updates
    "status_kind.status": {"es": "{ref} · {customer}: nuevo estado", "en": "{ref} · {customer}: new status"},
    "status_kind.monitoring": {"es": "{ref} · {customer}: en vigilancia", "en": "{ref} · {customer}: monitoring"},
    "status_kind.closed": {"es": "{ref} · {customer}: cerrada", "en": "{ref} · {customer}: closed"},
    "status_kind.reopened": {"es": "{ref} · {customer}: reabierta", "en": "{ref} · {customer}: reopened"},
    "status_kind.severity": {
        "es": "{ref} · {customer}: cambio de severidad", "en": "{ref} · {customer}: severity changed",
    },
    "status_kind_short.status": {"es": "estado", "en": "status"},
    "status_kind_short.monitoring": {"es": "en vigilancia", "en": "monitoring"},
    "status_kind_short.closed": {"es": "cerrada", "en": "closed"},
    "status_kind_short.reopened": {"es": "reabierta", "en": "reopened"},
    "status_kind_short.severity": {"es": "severidad", "en": "severity"},
    "status.by": {"es": "{who}, {when}", "en": "{who}, {when}"},
    "status.acked_by": {"es": "Entendido ({count}): {names}", "en": "Got it ({count}): {names}"},
    "status.you_acked": {"es": "✓ Lo has confirmado", "en": "✓ You confirmed it"},
    "status.nobody_acked": {"es": "Nadie lo ha confirmado aún", "en": "Nobody has confirmed it yet"},
    "status.receipt_title": {"es": "Tu actualización de {ref}", "en": "Your update on {ref}"},
    "status.reached": {"es": "Enviada a {count} chats", "en": "Sent to {count} chats"},
    "status.reached_one": {"es": "Enviada a 1 chat", "en": "Sent to 1 chat"},
    "status.unknown": {"es": "Esa actualización ya no existe.", "en": "That update no longer exists."},
    # Issues: errors
    "issue.unknown": {
        "es": "No existe la incidencia {ref}. Revisa el número o usa /incidencias.",
        "en": "There is no issue {ref}. Check the number or use /incidencias.",
    },
    "issue.closed": {
        "es": "{ref} está cerrada. Su equipo responsable puede reabrirla con /incidencia reabrir {ref}.",
        "en": "{ref} is closed. Its owner team can reopen it with /incidencia reopen {ref}.",
    },
    "issue.already_monitoring": {"es": "{ref} ya está en vigilancia.", "en": "{ref} is already being monitored."},
    "issue.already_open": {"es": "{ref} ya está abierta.", "en": "{ref} is already open."},
    "issue.same_severity": {"es": "{ref} ya es {severity}.", "en": "{ref} is already {severity}."},
    "issue.owner_team_stays": {
        "es": "El equipo responsable sigue siempre {ref}.", "en": "The owner team always follows {ref}.",
    },
    "perm.issue_owner": {
        "es": "Solo el equipo {team} publica el estado de {ref} o la cierra. Puedes seguirla con /incidencia seguir {ref}.",
        "en": "Only the {team} team posts status on {ref} or closes it. You can follow it with /incidencia follow {ref}.",
    },
    "perm.issue_remove": {
        "es": "Solo el equipo {team} y el gestor de cuenta deciden quién más sigue {ref}; tú puedes dejar de seguirla.",
        "en": "Only the {team} team and the account manager decide who else follows {ref}; you can unfollow it.",
    },
    "input.bad_issue_id": {
        "es": "No entiendo el número de incidencia «{value}». Usa el formato INC-7.",
        "en": "I don't understand the issue number “{value}”. Use the form INC-7.",
    },
    "input.bad_severity": {
        "es": "«{value}» no es una severidad: usa sev1 (crítica), sev2, sev3 o sev4 (baja).",
        "en": "“{value}” is not a severity: use sev1 (critical), sev2, sev3 or sev4 (low).",
    },
    "input.missing_customer": {
        "es": "¿De qué cliente? Escribe /incidencia nueva #CLIENTE sev2 qué pasa.",
        "en": "Which customer? Type /incidencia new #CUSTOMER sev2 what is wrong.",
    },
    "input.empty.title": {"es": "Describe la incidencia en una línea.", "en": "Describe the issue in one line."},
    "input.empty.status": {
        "es": "El estado está vacío: escribe qué ha cambiado, p. ej. /estado INC-7 el parche está en pruebas.",
        "en": "The status is empty: say what changed, e.g. /estado INC-7 the fix is being tested.",
    },
    "input.unknown_stakeholder": {
        "es": "No encuentro a «{value}»: usa @equipo, el email de la persona o su usuario (ana.garcia).",
        "en": "I can't find “{value}”: use @team, the person's email or their handle (ana.garcia).",
    },
    "input.bad_customer_slug": {
        "es": "«{value}» no vale como etiqueta de cliente: usa letras, números, «-» o «_», p. ej. #acme.",
        "en": "“{value}” is not a valid customer tag: use letters, digits, “-” or “_”, e.g. #acme.",
    },
    # Issues: replies
    "reply.issue_opened": {
        "es": "Abierta {ref} para {customer} ({severity}, {team}). La siguen: {followers}. Próxima actualización antes de {when}.",
        "en": "Opened {ref} for {customer} ({severity}, {team}). Following: {followers}. Next update due by {when}.",
    },
    "reply.issue_default_severity": {
        "es": "Severidad {severity} por defecto; cámbiala con /incidencia severidad {ref} sev1.",
        "en": "Severity {severity} by default; change it with /incidencia severity {ref} sev1.",
    },
    "reply.status_posted": {
        "es": "Estado publicado en {ref}: enviado a {count} chats. Te aviso de quién lo confirma.",
        "en": "Status posted on {ref}: sent to {count} chats. I'll tell you who confirms it.",
    },
    "reply.issue_monitoring": {"es": "{ref} pasa a vigilancia; avisados {count} chats.", "en": "{ref} is now being monitored; {count} chats told."},
    "reply.issue_closed": {"es": "{ref} cerrada; avisados {count} chats.", "en": "{ref} closed; {count} chats told."},
    "reply.issue_reopened": {"es": "{ref} reabierta; avisados {count} chats.", "en": "{ref} reopened; {count} chats told."},
    "reply.issue_severity": {"es": "Severidad de {ref} cambiada; avisados {count} chats.", "en": "Severity of {ref} changed; {count} chats told."},
    # The same, when the update reached a single chat (the "_one" keys, as in the request catalog).
    "reply.status_posted_one": {
        "es": "Estado publicado en {ref}: enviado a 1 chat. Te aviso de quién lo confirma.",
        "en": "Status posted on {ref}: sent to 1 chat. I'll tell you who confirms it.",
    },
    "reply.issue_monitoring_one": {"es": "{ref} pasa a vigilancia; avisado 1 chat.", "en": "{ref} is now being monitored; 1 chat told."},
    "reply.issue_closed_one": {"es": "{ref} cerrada; avisado 1 chat.", "en": "{ref} closed; 1 chat told."},
    "reply.issue_reopened_one": {"es": "{ref} reabierta; avisado 1 chat.", "en": "{ref} reopened; 1 chat told."},
    "reply.issue_severity_one": {"es": "Severidad de {ref} cambiada; avisado 1 chat.", "en": "Severity of {ref} changed; 1 chat told."},
    "reply.following": {"es": "Ahora sigues {ref}: recibirás cada actualización.", "en": "You now follow {ref}: you'll get every update."},
    "reply.already_following": {"es": "Ya sigues {ref}.", "en": "You already follow {ref}."},
    "reply.unfollowed": {"es": "Ya no sigues {ref}.", "en": "You no longer follow {ref}."},
    "reply.not_following": {"es": "No seguías {ref} a título personal.", "en": "You weren't following {ref} yourself."},
    "reply.stakeholders_added": {"es": "Ahora siguen {ref}: {names}.", "en": "Now following {ref}: {names}."},
    "reply.stakeholders_already": {"es": "Ya seguían {ref}.", "en": "They already follow {ref}."},
    "reply.stakeholders_removed": {"es": "Ya no siguen {ref}: {names}.", "en": "No longer following {ref}: {names}."},
    "reply.stakeholders_none_removed": {"es": "No seguían {ref}.", "en": "They weren't following {ref}."},
    "reply.issue_followers": {"es": "La siguen", "en": "Followed by"},
    "reply.issue_history": {"es": "Actualizaciones", "en": "Updates"},
    "reply.issue_history_line": {
        "es": "{when} · {who} · {kind}: {text} (entendido: {count})",
        "en": "{when} · {who} · {kind}: {text} (got it: {count})",
    },
    "reply.issues.title": {"es": "Incidencias abiertas ({count})", "en": "Open issues ({count})"},
    "reply.issues.title_customer": {"es": "Incidencias abiertas de {customer} ({count})", "en": "Open issues of {customer} ({count})"},
    "reply.issues.empty": {"es": "No hay incidencias abiertas.", "en": "There are no open issues."},
    "reply.issues.empty_customer": {"es": "{customer} no tiene incidencias abiertas.", "en": "{customer} has no open issues."},
    "reply.acked": {"es": "Gracias: {ref} confirmado.", "en": "Thanks: {ref} confirmed."},
    "reply.already_acked": {"es": "Ya habías confirmado esta actualización de {ref}.", "en": "You had already confirmed this update on {ref}."},
    "notice.issue_added_you": {
        "es": "{who} te ha añadido a {ref}: recibirás cada actualización. /incidencia dejar {ref} para dejar de seguirla.",
        "en": "{who} added you to {ref}: you'll get every update. /incidencia unfollow {ref} to stop.",
    },
    # Customers
    "customer.unknown": {
        "es": "No conozco el cliente «{customer}». Dalo de alta con /cliente nuevo #{customer} Nombre completo.",
        "en": "I don't know the customer “{customer}”. Add it with /cliente new #{customer} Full name.",
    },
    "customer.did_you_mean": {
        "es": "No conozco el cliente «{customer}». ¿Quisiste decir {choices}?",
        "en": "I don't know the customer “{customer}”. Did you mean {choices}?",
    },
    "customer.exists": {"es": "Ese cliente ya existe: {customer} (#{slug}).", "en": "That customer already exists: {customer} (#{slug})."},
    "customer.risk": {"es": "Riesgo", "en": "Risk"},
    "customer.no_risk": {"es": "Sin señales de riesgo en 30 días.", "en": "No risk signals in 30 days."},
    "customer.at_risk": {"es": "En riesgo", "en": "At risk"},
    "customer.risk_line": {
        "es": "⚠ {signal}: «{phrase}» ({ref}, {when}) · {state}",
        "en": "⚠ {signal}: “{phrase}” ({ref}, {when}) · {state}",
    },
    # A risk raised by a request the reader may not open: the signal, not the words (bot.requests.visibility).
    "customer.risk_line_hidden": {
        "es": "⚠ {signal}, en un pedido en el que no participas ({when}) · {state}",
        "en": "⚠ {signal}, in a request you are not part of ({when}) · {state}",
    },
    "customer.issues": {"es": "Incidencias abiertas ({count})", "en": "Open issues ({count})"},
    "customer.no_issues": {"es": "Ninguna.", "en": "None."},
    "customer.requests": {"es": "Pedidos abiertos y de los últimos 30 días ({count})", "en": "Open and last-30-day requests ({count})"},
    "customer.no_requests": {"es": "Ninguno.", "en": "None."},
    # Requests the reader may not open: how many, never what they say.
    "customer.requests_hidden": {
        "es": "{count} pedidos en los que no participas: no se muestran.",
        "en": "{count} requests you are not part of: not shown.",
    },
    "customer.requests_hidden_one": {
        "es": "1 pedido en el que no participas: no se muestra.",
        "en": "1 request you are not part of: not shown.",
    },
    "reply.customers.title": {"es": "Clientes ({count})", "en": "Customers ({count})"},
    "reply.customers.empty": {
        "es": "Aún no hay clientes. Da de alta uno con /cliente nuevo #ACME Nombre completo.",
        "en": "No customers yet. Add one with /cliente new #ACME Full name.",
    },
    "reply.customers.issues": {"es": "incidencias abiertas: {count}", "en": "open issues: {count}"},
    "reply.customer_created": {
        "es": "Cliente {customer} (#{slug}) dado de alta. Su gestor de cuenta se asigna en el fichero de organización.",
        "en": "Customer {customer} (#{slug}) added. Its account manager is set in the organisation file.",
    },
    # Risk flags
    "risk.title": {"es": "⚠ Posible riesgo con {customer}", "en": "⚠ Possible risk with {customer}"},
    "risk.body": {
        "es": "Señal: *{signal}*\n> {excerpt}\nAcción propuesta: *{action}*",
        "en": "Signal: *{signal}*\n> {excerpt}\nProposed action: *{action}*",
    },
    "risk.source": {"es": "{ref} ({kind} de {who}, {when})", "en": "{ref} ({kind} by {who}, {when})"},
    "risk_source.status": {"es": "estado", "en": "status"},
    "risk_source.issue": {"es": "incidencia", "en": "issue"},
    "risk_source.request": {"es": "pedido", "en": "request"},
    "risk_source.comment": {"es": "comentario", "en": "comment"},
    "risk_state.accepted": {"es": "aceptada por {who}", "en": "accepted by {who}"},
    "risk_state.dismissed": {"es": "descartada por {who}", "en": "dismissed by {who}"},
    "risk_state.done": {"es": "hecha por {who}", "en": "done by {who}"},
    "risk_state_name.open": {"es": "pendiente", "en": "pending"},
    "risk_state_name.accepted": {"es": "aceptada", "en": "accepted"},
    "risk_state_name.dismissed": {"es": "descartada", "en": "dismissed"},
    "risk_state_name.done": {"es": "hecha", "en": "done"},
    "risk_action.call_today": {"es": "llama hoy al cliente", "en": "call the customer today"},
    "risk_action.involve_lead": {"es": "implica al responsable del equipo", "en": "involve the team lead"},
    "risk_action.consider_compensation": {"es": "valora una compensación", "en": "consider a compensation"},
    "action.risk_accept": {"es": "Aceptar", "en": "Accept"},
    "action.risk_dismiss": {"es": "Descartar", "en": "Dismiss"},
    "action.risk_done": {"es": "Hecho", "en": "Done"},
    "risk.unknown": {"es": "Esa alerta ya no existe.", "en": "That alert no longer exists."},
    "risk.already": {"es": "Esa alerta ya está {state}.", "en": "That alert is already {state}."},
    "perm.risk": {
        "es": "Solo el gestor de cuenta de {customer} decide sobre esta alerta.",
        "en": "Only the account manager of {customer} decides on this alert.",
    },
    "reply.risk_accepted": {"es": "Aceptada. Márcala como hecha cuando lo esté.", "en": "Accepted. Mark it done when it is."},
    "reply.risk_dismissed": {"es": "Descartada.", "en": "Dismissed."},
    "reply.risk_done": {"es": "Hecho. ¡Gracias!", "en": "Done. Thanks!"},
    "signal.cancel": {"es": "quiere darse de baja", "en": "wants to cancel"},
    "signal.competitor": {"es": "mira a la competencia", "en": "looking at a competitor"},
    "signal.anger": {"es": "enfado", "en": "anger"},
    "signal.complaint": {"es": "queja formal", "en": "formal complaint"},
    "signal.refund": {"es": "pide un reembolso", "en": "asks for a refund"},
    "signal.legal": {"es": "amenaza legal", "en": "legal threat"},
    "signal.repeated_failure": {"es": "fallos repetidos", "en": "repeated failures"},
    "signal.escalation": {"es": "escala a dirección", "en": "escalating to management"},
    "signal.price": {"es": "se queja del precio", "en": "price complaint"},
    "signal.payment": {"es": "retiene o no paga", "en": "withholding payment"},
    "signal.value": {"es": "no ve el valor", "en": "doubts the value"},
    "signal.downgrade": {"es": "reduce lo contratado", "en": "downgrading"},
    "signal.disengagement": {"es": "se está desconectando", "en": "disengaging"},
    "signal.review": {"es": "crítica pública", "en": "public criticism"},
    "home.issues_title": {"es": "Incidencias que sigues ({count})", "en": "Issues you follow ({count})"},
    # Help
    "help.issues": {
        "es": (
            "*Incidencias de clientes*\n"
            "• /incidencia nueva #CLIENTE [sev1-4] [@equipo] qué pasa — abre INC-n; la siguen tú, el equipo y el gestor de cuenta\n"
            "• /estado INC-7 texto — publica el estado (solo el equipo responsable); llega a todos los que la siguen\n"
            "• /incidencia ver|seguir|dejar INC-7 · añadir|quitar INC-7 @equipo ana.garcia\n"
            "• /incidencia vigilar|cerrar INC-7 [nota] · reabrir INC-7 · severidad INC-7 sev1\n"
            "• /incidencia reasignar INC-7 @equipo [motivo] — pasa la incidencia a otro equipo\n"
            "• /incidencias [#CLIENTE] — las abiertas · /cliente ACME — todo sobre un cliente · /cliente nuevo #ACME Nombre"
        ),
        "en": (
            "*Customer issues*\n"
            "• /incidencia new #CUSTOMER [sev1-4] [@team] what is wrong — opens INC-n; you, the team and the account manager follow it\n"
            "• /estado INC-7 text — posts status (owner team only); it reaches everyone following\n"
            "• /incidencia view|follow|unfollow INC-7 · add|remove INC-7 @team ana.garcia\n"
            "• /incidencia monitor|close INC-7 [note] · reopen INC-7 · severity INC-7 sev1\n"
            "• /incidencia reassign INC-7 @team [reason] — hands the issue to another team\n"
            "• /incidencias [#CUSTOMER] — open ones · /cliente ACME — everything about a customer · /cliente new #ACME Name"
        ),
    },
    # Passing an issue to another team, and asking which team owns a new one.
    "status_kind.reassigned": {
        "es": "{ref} · {customer}: cambio de equipo responsable", "en": "{ref} · {customer}: new owner team",
    },
    "status_kind_short.reassigned": {"es": "reasignada", "en": "reassigned"},
    "reply.issue_reassigned": {
        "es": "{ref} pasa a {team}; avisados {count} chats.", "en": "{ref} now belongs to {team}; {count} chats told.",
    },
    "reply.issue_reassigned_one": {
        "es": "{ref} pasa a {team}; avisado 1 chat.", "en": "{ref} now belongs to {team}; 1 chat told.",
    },
    "issue.same_team": {"es": "{ref} ya es de {team}.", "en": "{ref} already belongs to {team}."},
    "perm.issue_reassign": {
        "es": "Solo el equipo {team} y el gestor de cuenta pueden pasar {ref} a otro equipo.",
        "en": "Only the {team} team and the account manager can hand {ref} to another team.",
    },
    "issue.suggest_teams": {
        "es": "¿Qué equipo lleva esta incidencia? Por lo que cuentas, puede ser:",
        "en": "Which team owns this issue? From what you wrote, it may be:",
    },
    "issue.choose_team": {
        "es": "¿Qué equipo lleva esta incidencia? Elige uno (la próxima vez puedes escribir @equipo):",
        "en": "Which team owns this issue? Pick one (next time you can write @team):",
    },
}
