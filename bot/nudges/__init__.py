"""Nudges: reminders and escalations the worker sends when something waits.

Domains plan them as their items change (each domain's `scheduled.py`); the
ledger (storage.models.Nudge) holds them until they are due; the worker's
ticks send what is due, merged per person, in working hours, once.
"""
