"""The organisation directory: people, teams and their customer cards.

An admin keeps the organisation in one TOML file (see docs/org-format.md).
`bot.org.spec.load_org` reads and validates it, reporting the first problem
with the file and the key path; `bot.org.importer.import_org` writes it to
the database in one transaction, so a bad file never leaves half an import.
"""
