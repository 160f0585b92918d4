"""The local console: the whole product in a terminal, with no workspace."""
