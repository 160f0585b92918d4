"""/pedir: its words, parser, handlers, buttons and forms."""
