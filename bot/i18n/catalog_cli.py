"""What the `pedir` command line and the console say about themselves:
failures that are not bugs, Ctrl-C, the console clock.

Placeholders use str.format names; both languages take the same ones.
"""

CLI_CATALOG: dict[str, dict[str, str]] = {
    # Arguments
    "cli.now.invalid": {
        "es": "«{value}» no es una fecha y hora válida: usa ISO 8601 con zona horaria, entre {first} y {last}, "
              "p. ej. 2026-11-25T09:00+01:00",
        "en": "“{value}” is not a valid date and time: use ISO 8601 with a time zone, between {first} and {last}, "
              "e.g. 2026-11-25T09:00+01:00",
    },
    "cli.host.invalid": {
        "es": "«{value}» no es una URL https: usa p. ej. https://pedir.example.com",
        "en": "“{value}” is not an https URL: use e.g. https://pedir.example.com",
    },
    "cli.workers.invalid": {
        "es": "«{value}» no es un número de procesos: usa de 1 a {most}",
        "en": "“{value}” is not a number of processes: use 1 to {most}",
    },
    "cli.workers.sqlite": {
        "es": "error: varios procesos web necesitan PostgreSQL (DATABASE_URL=postgresql://…); con SQLite, "
              "usa uno (pedir serve)",
        "en": "error: several web processes need PostgreSQL (DATABASE_URL=postgresql://…); on SQLite, "
              "run one (pedir serve)",
    },
    # pedir pulse export
    "cli.pulse.invalid": {
        "es": "«{value}» no es un pulso: escribe su número así: P-3",
        "en": "“{value}” is not a pulse: write its number like this: P-3",
    },
    "cli.round.invalid": {
        "es": "«{value}» no es un número de ronda: usa 1, 2, 3…",
        "en": "“{value}” is not a round number: use 1, 2, 3…",
    },
    "cli.file.unreadable": {"es": "no puedo leer «{path}»: {reason}", "en": "cannot read “{path}”: {reason}"},
    "cli.file.unwritable": {"es": "no puedo escribir «{path}»: {reason}", "en": "cannot write “{path}”: {reason}"},
    "cli.file.failed": {"es": "No puedo usar «{path}»: {reason}", "en": "Cannot use “{path}”: {reason}"},
    "cli.reason.missing": {"es": "no existe", "en": "it does not exist"},
    "cli.reason.folder": {"es": "es una carpeta", "en": "it is a folder"},
    "cli.reason.denied": {"es": "no tengo permiso", "en": "permission denied"},
    "cli.reason.not_text": {"es": "no es texto UTF-8", "en": "it is not UTF-8 text"},
    "cli.reason.no_folder": {"es": "la carpeta «{folder}» no existe", "en": "the folder “{folder}” does not exist"},
    # The database
    "cli.db.unreachable": {
        "es": "No puedo usar la base de datos {where}: {reason}. Revisa DATABASE_URL y que el servidor esté en marcha.",
        "en": "Cannot use the database {where}: {reason}. Check DATABASE_URL and that the server is running.",
    },
    "cli.db.bad_url": {
        "es": "DATABASE_URL no es una URL de base de datos válida: usa sqlite:///ruta/pedir.db "
              "o postgresql://usuario@servidor/base.",
        "en": "DATABASE_URL is not a valid database URL: use sqlite:///path/pedir.db or postgresql://user@host/name.",
    },
    "cli.db.unsupported": {
        "es": "DATABASE_URL es de «{backend}», que Pedir no usa: usa sqlite:///ruta/pedir.db "
              "o postgresql://usuario@servidor/base.",
        "en": "DATABASE_URL is for “{backend}”, which Pedir does not use: use sqlite:///path/pedir.db "
              "or postgresql://user@host/name.",
    },
    "cli.db.migrations": {
        "es": "Las migraciones no cuadran con la base de datos {where}: {reason}",
        "en": "The migrations do not match the database {where}: {reason}",
    },
    "cli.config.invalid": {"es": "Configuración no válida: {problems}", "en": "Invalid configuration: {problems}"},
    "cli.interrupted": {"es": "Interrumpido.", "en": "Interrupted."},
    # pedir chat
    "cli.chat.empty": {
        "es": "La base de datos {where} no tiene a nadie todavía: importa tu organización con "
              "«pedir org import FICHERO.toml», o prueba «pedir chat --demo».",
        "en": "The database {where} has nobody in it yet: import your organisation with "
              "“pedir org import FILE.toml”, or try “pedir chat --demo”.",
    },
    "cli.chat.who": {
        "es": "¿Quién eres? Dilo con --as, p. ej. «pedir chat --as {example}».",
        "en": "Who are you? Say it with --as, e.g. “pedir chat --as {example}”.",
    },
    "cli.chat.unknown": {
        "es": "No encuentro a «{email}»: usa --as con el email de alguien importado (pedir org import FICHERO.toml).",
        "en": "I can't find “{email}”: use --as with the email of someone imported (pedir org import FILE.toml).",
    },
    # The console session
    "console.goodbye": {"es": "Hasta luego.", "en": "Goodbye."},
    "console.line_cancelled": {
        "es": "(Ctrl-C: línea cancelada. Otro Ctrl-C, Ctrl-D o :salir para salir)",
        "en": "(Ctrl-C: line cancelled. Ctrl-C again, Ctrl-D or :quit to leave)",
    },
    "console.ctrl_c.waiting": {
        "es": "(Ctrl-C: espero a que termine la orden en curso…)",
        "en": "(Ctrl-C: waiting for the running command to finish…)",
    },
    "console.ctrl_c.saved": {
        "es": "(Ctrl-C: llegó tarde; la orden ya se había completado y quedó guardada: «{what}»)",
        "en": "(Ctrl-C: too late; the command had already completed and was saved: “{what}”)",
    },
    "console.ctrl_c.saved_plain": {
        "es": "(Ctrl-C: llegó tarde; la orden ya se había completado y quedó guardada)",
        "en": "(Ctrl-C: too late; the command had already completed and was saved)",
    },
    "console.ctrl_c.nothing": {
        "es": "(Ctrl-C: no se ha guardado nada)",
        "en": "(Ctrl-C: nothing was saved)",
    },
    "console.ctrl_c.form": {
        "es": "(Ctrl-C: formulario cancelado; no se ha guardado nada)",
        "en": "(Ctrl-C: form cancelled; nothing was saved)",
    },
    "console.ctrl_c.script": {"es": "(Ctrl-C: el guion se detiene aquí)", "en": "(Ctrl-C: the script stops here)"},
    "console.wait.usage": {
        "es": "(usa :espera 30m, :espera 2h o :espera 1d4h: de 1 minuto a {days} días)",
        "en": "(use :wait 30m, :wait 2h or :wait 1d4h: from 1 minute to {days} days)",
    },
    "console.wait.too_far": {
        "es": "(el reloj de la consola no pasa de {year})",
        "en": "(the console clock stops at {year})",
    },
    # Operating it: start-up checks
    "cli.slack.token_refused": {
        "es": "Slack rechaza SLACK_BOT_TOKEN ({error}): el token es falso, está mal copiado o fue revocado. "
              "Copia el «Bot User OAuth Token» (xoxb-…) de la página de tu app en Slack (OAuth & Permissions), "
              "o reinstala la app, y vuelve a arrancar.",
        "en": "Slack refuses SLACK_BOT_TOKEN ({error}): the token is fake, mistyped or revoked. "
              "Copy the Bot User OAuth Token (xoxb-…) from your Slack app's page (OAuth & Permissions), "
              "or reinstall the app, and start again.",
    },
}
