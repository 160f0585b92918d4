"""/pulso: its words, parsing, handlers, buttons and forms."""
