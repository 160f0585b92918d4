"""What the bot says when an issue's update is late or a status goes unread, in both languages."""

ISSUE_NUDGES: dict[str, dict[str, str]] = {
    "nudge.issue.update.overdue": {
        "es": "⏳ {ref} ({customer}): la actualización tocaba el {when}. Cuenta a los interesados cómo va.",
        "en": "⏳ {ref} ({customer}): the update was due {when}. Tell the stakeholders how it is going.",
    },
    "nudge.issue.update.late.lead": {
        "es": "⛔ {ref} ({customer}, {severity}): la actualización tocaba el {when} y sigue sin publicarse; "
              "ya se ha avisado a {owner}.",
        "en": "⛔ {ref} ({customer}, {severity}): the update was due {when} and has not been posted; "
              "{owner} has already been told.",
    },
    "nudge.issue.update.late.stakeholder": {
        "es": "La próxima actualización de {ref} ({customer}) llega tarde; ya se ha avisado a {owner}.",
        "en": "The next update on {ref} ({customer}) is late; {owner} has already been told.",
    },
    "nudge.issue.status.ack": {
        "es": "¿Has visto la actualización de {who} sobre {ref} ({customer}) del {when}? «{text}» "
              "Pulsa «Entendido» para que sepa que te ha llegado.",
        "en": "Did you see {who}'s update on {ref} ({customer}) from {when}? “{text}” "
              "Press “Got it” so they know it reached you.",
    },
}
