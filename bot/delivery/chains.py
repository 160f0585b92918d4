"""Sending concurrently, in order where order matters.

Rows to the same recipient (one conversation) or of the same card must reach
the platform in the order they were written, one after another: a card's
versions, a card and the notice in its thread. They form a chain; chains run
side by side, up to a bound. A chain that shares a recipient or a card with
a chain still running from an earlier batch starts once that one has ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

from storage.models import Outbox

T = TypeVar("T")
Key = Hashable


def row_keys(row: Outbox) -> tuple[Key, ...]:
    """What orders a row against others: its recipient, and its card if it has one."""
    recipient = ("to", row.recipient_kind, row.recipient_id)
    return (recipient, ("card", row.card_key)) if row.card_key else (recipient,)


class Chain(Generic[T]):
    def __init__(self, keys: frozenset[Key], items: list[T]) -> None:
        self.keys = keys
        self.items = items


def group(items: Sequence[T], keys: Callable[[T], Iterable[Key]]) -> list[Chain[T]]:
    """Items that share a key, directly or through others, in one chain each, in
    their given order; chains ordered by their first item."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Key, int] = {}
    for index, item in enumerate(items):
        for key in keys(item):
            if key in owner:
                a, b = root(owner[key]), root(index)
                parent[max(a, b)] = min(a, b)  # the earliest item names the chain
            else:
                owner[key] = index
    members: dict[int, list[int]] = {}
    for index in range(len(items)):
        members.setdefault(root(index), []).append(index)
    chains = []
    for first in sorted(members):
        indices = members[first]
        chain_keys = frozenset(key for i in indices for key in keys(items[i]))
        chains.append(Chain(chain_keys, [items[i] for i in indices]))
    return chains


class Sequencer:
    """Runs chains: each chain's items one after another, up to `concurrency`
    chains at once (in the order they were handed in), and a chain after any
    earlier one it shares a key with."""

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._slots = asyncio.Semaphore(concurrency)
        self._tails: dict[Key, asyncio.Future] = {}  # each key's latest chain, until it ends

    def busy(self, keys: Iterable[Key]) -> bool:
        """Whether a chain with one of these keys is still running."""
        return any(key in self._tails for key in keys)

    async def run(self, chains: list[Chain[T]], step: Callable[[T], Awaitable[None]],
                  under_way: asyncio.Event | None = None) -> None:
        """Runs every chain to its end. `under_way` is set once no chain waits for a
        free slot any more: the rest is in flight, or waits for an earlier chain."""
        waiting = len(chains)

        def started() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0 and under_way is not None:
                under_way.set()

        if not chains and under_way is not None:
            under_way.set()
        tasks = [asyncio.create_task(self._chain(chain, step, started)) for chain in chains]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _chain(self, chain: Chain[T], step: Callable[[T], Awaitable[None]], started: Callable[[], None]) -> None:
        ended: asyncio.Future = asyncio.get_running_loop().create_future()
        before = {self._tails[key] for key in chain.keys if key in self._tails}
        for key in chain.keys:
            self._tails[key] = ended
        try:
            if before:
                started()  # it needs no slot until the earlier chains end
                await asyncio.wait(before)
            async with self._slots:
                if not before:
                    started()
                for item in chain.items:
                    await step(item)
        finally:
            ended.set_result(None)
            for key in chain.keys:
                if self._tails.get(key) is ended:
                    del self._tails[key]
