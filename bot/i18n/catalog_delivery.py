"""User-facing text about delivery: a team that cannot receive its cards yet.

Placeholders use str.format names; both languages take the same ones.
"""

DELIVERY_CATALOG: dict[str, dict[str, str]] = {
    "platform.slack": {"es": "Slack", "en": "Slack"},
    "platform.teams": {"es": "Teams", "en": "Teams"},
    "reach.titled": {"es": "«{title}»", "en": "“{title}”"},
    "reach.a_message": {"es": "un mensaje", "en": "a message"},
    # Why a team cannot receive its cards
    "reach.why.unseen": {
        "es": "Pedir todavía no está en su canal de {platform}",
        "en": "Pedir has not been added to its {platform} channel yet",
    },
    "reach.why.refused": {
        "es": "{platform} no deja a Pedir escribir en su canal (¿lo quitaron del equipo?)",
        "en": "{platform} does not let Pedir post in its channel (was it removed from the team?)",
    },
    "reach.why.no_intake": {
        "es": "no tiene canal de entrada en ninguna plataforma conectada",
        "en": "it has no intake channel on any connected platform",
    },
    # What the team's lead can do about it
    "reach.fix.unseen": {
        "es": "Añade la app Pedir al equipo en {platform} y escribe «@Pedir ayuda» una vez en ese canal: "
              "lo pendiente llegará solo.",
        "en": "Add the Pedir app to the team in {platform} and post “@Pedir help” once in that channel: "
              "whatever is waiting will arrive by itself.",
    },
    "reach.fix.refused": {
        "es": "Vuelve a añadir la app Pedir al equipo en {platform} y escribe «@Pedir ayuda» una vez en ese canal: "
              "lo pendiente llegará solo.",
        "en": "Add the Pedir app to the team in {platform} again and post “@Pedir help” once in that channel: "
              "whatever is waiting will arrive by itself.",
    },
    "reach.fix.no_intake": {
        "es": "Pide a un administrador que le configure un canal de entrada (intake, con pedir org import).",
        "en": "Ask an admin to give the team an intake channel (intake, with pedir org import).",
    },
    # The requester, when the request is created
    "reach.created_warning": {
        "es": "⚠ Pero {team} aún no puede recibirlo: {why}. {who}",
        "en": "⚠ But {team} cannot receive it yet: {why}. {who}",
    },
    "reach.told_leads": {
        "es": "Hemos avisado a {leads} de qué hacer; el pedido llegará en cuanto lo arreglen.",
        "en": "We have told {leads} what to do; the request will arrive as soon as it is fixed.",
    },
    "reach.no_leads": {
        "es": "El equipo no tiene responsable en Pedir: avisa tú a alguien del equipo.",
        "en": "The team has no lead in Pedir: please tell someone in the team.",
    },
    # Notices through the outbox
    "reach.lead.down": {
        "es": "⚠ {what} no puede llegar a {team}: {why}. {fix}",
        "en": "⚠ {what} cannot reach {team}: {why}. {fix}",
    },
    "reach.watcher.down": {
        "es": "⚠ {what} aún no ha llegado a {team}: {why}. {who}",
        "en": "⚠ {what} has not reached {team} yet: {why}. {who}",
    },
    "reach.lead.up": {
        "es": "✓ Pedir ya está en el canal de {platform} de {team}. Entregando lo que esperaba: {what}.",
        "en": "✓ Pedir is now in {team}'s {platform} channel. Delivering what was waiting: {what}.",
    },
    "reach.watcher.up": {
        "es": "✓ {team} ya puede recibir {what}: se lo hemos enviado.",
        "en": "✓ {team} can receive {what} now: we have sent it.",
    },
    # Renderers' own words
    "teams.more": {"es": "Más…", "en": "More…"},
}
