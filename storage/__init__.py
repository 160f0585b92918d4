"""Durable state: tables, engine and sessions, queries, migrations."""
