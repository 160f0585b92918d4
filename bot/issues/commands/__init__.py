"""/incidencia, /incidencias and /estado: their words, parser, handlers, buttons and forms."""
