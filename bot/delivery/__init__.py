"""Durable delivery: the outbox, the channels that deliver it, the dispatcher."""
