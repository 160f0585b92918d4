"""Pedir's domain: platform-neutral. Nothing here imports a chat SDK."""
