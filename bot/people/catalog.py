"""What Pedir says about a person's own settings, in Spanish and English."""

PEOPLE_CATALOG: dict[str, dict[str, str]] = {
    "language.es": {"es": "español", "en": "Spanish (español)"},
    "language.en": {"es": "inglés (English)", "en": "English"},
    # Each label is in the language it switches to: whoever wants it can read it.
    "action.language": {"es": "Escríbeme en español", "en": "Write to me in English"},
    "reply.language_set": {
        "es": "Hecho: a partir de ahora te escribo en español.",
        "en": "Done: from now on I write to you in English.",
    },
    "reply.language_same": {"es": "Ya te escribo en español.", "en": "I already write to you in English."},
    "reply.language_current": {
        "es": "Te escribo en {language}. Para cambiarlo: /pedir idioma en (o es).",
        "en": "I write to you in {language}. To change it: /pedir language es (or en).",
    },
}
