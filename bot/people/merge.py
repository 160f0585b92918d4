"""Folding one person into another: the same human, met twice.

A chat user whose profile could not be fetched gets a person of their own (a
stand-in name, no email). When the profile arrives and its email belongs to
someone Pedir already knows (from the org file, or from the other platform),
that stand-in was this person all along: whatever names it is moved over, and
the stand-in is deleted.

What is moved: every column with a foreign key to person.id, read from the
table metadata so that a table added later is covered the day it lands; and
the references that name a person without a foreign key, listed below. A row
that would then repeat one the person already has (the same membership, the
same acknowledgement, the same followed issue) is dropped: theirs wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy import Column, ColumnElement, Table, UniqueConstraint, delete, exists, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ConversationReference, IssueFollower, Outbox, Person

log = logging.getLogger(__name__)
PERSON = "person"  # the `kind` of a person in polymorphic references


async def fold(session: AsyncSession, stand_in: Person, into: Person) -> bool:
    """Moves everything that names `stand_in` to `into`, then deletes `stand_in`.

    False when the stand-in had to be kept: a transaction that has not yet
    committed still names it (its rows would lose their person). It is left
    without accounts, so nobody reaches it again.
    """
    await session.flush()
    old, new = stand_in.id, into.id
    assert old is not None and new is not None and old != new
    for table, column in _person_columns():
        await _move(session, table, column, old, new)
    follower = IssueFollower.__table__  # type: ignore[attr-defined]
    await _move(session, follower, follower.c.ref_id, old, new, follower.c.kind == PERSON)
    outbox = Outbox.__table__  # type: ignore[attr-defined]
    await _move(session, outbox, outbox.c.recipient_id, old, new, outbox.c.recipient_kind == PERSON)
    # Saved Teams conversations are keyed "person:<id>" (adapters/teams/bot.py).
    refs = ConversationReference.__table__  # type: ignore[attr-defined]
    await _move(session, refs, refs.c.key, f"person:{old}", f"person:{new}")
    try:
        async with session.begin_nested():
            await session.delete(stand_in)
    except IntegrityError:
        log.warning("person %s kept after folding it into person %s: still referenced", old, new)
        return False
    return True


def _person_columns() -> Iterator[tuple[Table, Column]]:
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.target_fullname == "person.id" for fk in column.foreign_keys):
                yield table, column


async def _move(
    session: AsyncSession, table: Table, column: Column, old: object, new: object,
    only: ColumnElement[bool] = true(),
) -> None:
    """Rows where `column` is `old` get `new`, unless that would repeat a unique key."""
    for unique in _unique_keys(table, column):
        other = table.alias()
        same_key = [other.c[c.name] == c for c in unique if c.name != column.name]
        repeated = exists().where(other.c[column.name] == new, *same_key)
        await session.exec(delete(table).where(column == old, only, repeated))  # type: ignore[call-overload]
    moved = update(table).where(column == old, only).values({column.name: new})
    await session.exec(moved)  # type: ignore[call-overload]


def _unique_keys(table: Table, column: Column) -> list[list[Column]]:
    """Every unique constraint or unique index of `table` that includes `column`."""
    keys = [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [list(ix.columns) for ix in table.indexes if ix.unique]
    return [key for key in keys if any(c.name == column.name for c in key)]
