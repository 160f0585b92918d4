"""The pulse domain's jobs: open rounds, send each question at its moment,
follow delivery, remind once, mix the ballot box, close rounds."""

from __future__ import annotations

from bot.commands.registry import Job
from bot.pulses import closing, fanout, progress, reminders, rounds

JOBS = (
    Job("pulses.open", due=rounds.due, run=rounds.run, every_seconds=60, next_at=rounds.next_at),
    Job("pulses.send", due=fanout.due, run=fanout.send, every_seconds=10, next_at=fanout.next_at),
    Job("pulses.progress", due=progress.due, run=progress.settle, every_seconds=15),
    Job("pulses.remind", due=reminders.due, run=reminders.remind, every_seconds=60, next_at=reminders.next_at),
    Job("pulses.mix", due=closing.mix_due, run=closing.mix, every_seconds=30),
    Job("pulses.close", due=closing.due, run=closing.close, every_seconds=60, next_at=closing.next_at),
)
