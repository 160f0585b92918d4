"""Rate-limit lanes: what a platform limits on its own, and when each may be used next.

A platform limits each of its methods apart (Slack: chat.update, views.publish,
conversations.open...), and some per destination too (Slack's chat.postMessage
per channel, a Teams conversation). A 429 on one lane says nothing about the
others, so only that lane waits; the rest go on. A method limited per
destination may be capped across all of them as well (Slack's workspace-wide
cap on chat.postMessage): a refused destination that took no call lately is
hardly over its own limit (another process may have used it, though), so
once two of them are refused within one rest, or while the method rests,
the refusal rests the method's wider lane, which every destination's rows
also go down.

A refused lane rests for its Retry-After, and from then on keeps the pace the
platform showed it takes (the calls it accepted in the last Retry-After, over
that time, a little slower) instead of bursting into the next 429. The pace
is kept as the platform counts it: at most so many calls in any window as
long as that Retry-After, with turns the pace apart. A row that wakes late
for its turn (a busy event loop) pushes no other turn back, and turns that
came due during a stall catch up a few at a time, as far as the window allows. Refused again while keeping the pace,
the lane slows a little, and speeds up again window by window while it is
not refused, never past the pace it learned first.

Rows that must wait get turns on the lane in the order they ask, each at its
own time, the pace apart: a backlog costs one claim per call, not a claim of
the whole backlog at every call, and goes out in order.

All in the memory of one dispatcher process: another worker learns of a limit
from its own first refusal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

# The pace the platform showed, a little slower: jitter must not cost a 429.
PACE_MARGIN = 1.05
# A lane refused while keeping its pace slows by this much, and then speeds up
# again by RECOVERY a window, never past the pace it learned first: a refusal
# from a moment's jitter costs a little pace for a while, not for good.
PACE_BACKOFF = 1.05
RECOVERY = 1.005
# Calls a lane late for its turns may make at once to catch up (a few of its paces).
BURST = 5
# The shortest window the pace is counted over: Slack's Retry-After is whole seconds.
SHORTEST_WINDOW = timedelta(seconds=1)
# Calls remembered per lane to measure its pace: at most this many, none older
# than the longest rest a platform asks for (Slack's tiers count per minute).
# Enough for a method-wide lane: a cap of 100 calls a second fills one second.
RECENT_CALLS = 5_000
RECENT_WINDOW = timedelta(minutes=1)
# A lane unused this long is forgotten, pace and all; so are turns this old.
LANE_MEMORY = timedelta(minutes=10)
# Turns kept at most; past this the memory starts over (rows wait, then ask again).
MAX_TURNS = 10_000


@dataclass(frozen=True)
class Lane:
    platform: str
    method: str
    scope: str = ""  # the channel or conversation, when the limit is per destination

    def __str__(self) -> str:
        return " ".join(part for part in (self.platform, self.method, self.scope) if part)


@dataclass
class _LaneState:
    accepted: deque[datetime] = field(default_factory=lambda: deque(maxlen=RECENT_CALLS))  # when calls it took started
    let_through: deque[datetime] = field(default_factory=deque)  # calls let through in the last window, in order
    # Set once the platform has refused the lane:
    rest_until: datetime | None = None  # its Retry-After
    refused_at: datetime | None = None  # when the refusal that set it came
    # A method's wider lane: the last destination refused that had taken no call lately.
    idle_refused: tuple[Lane, datetime] | None = None
    learned: timedelta | None = None  # the time per call it showed first (rounded up: never a microsecond faster)
    slowed: timedelta | None = None  # the time per call set at the last refusal: the learned one, or slower
    window: timedelta = SHORTEST_WINDOW  # what the pace is counted over: the first Retry-After
    refusals: int = 0  # a new refusal voids the turns given before it
    last_turn: datetime | None = None  # the latest turn handed out: new ones queue after it

    def pace(self, now: datetime) -> timedelta | None:
        """The time per call it keeps now; None while it keeps none."""
        if self.learned is None or self.slowed is None:
            return None
        windows = (now - (self.refused_at or now)) / self.window
        return max(self.learned, self.slowed / RECOVERY ** max(windows, 0.0))

    def spacing(self, now: datetime) -> timedelta | None:
        """The time between turns: the pace, a little slower."""
        pace = self.pace(now)
        return None if pace is None else pace * PACE_MARGIN

    def earliest(self, now: datetime) -> datetime:
        """When a call may start: after the rest, and once the window before it
        holds fewer calls than the pace allows."""
        at = max(now, self.rest_until or now)
        spacing = self.spacing(now)
        if spacing is not None:
            while self.let_through and self.let_through[0] <= now - self.window:
                self.let_through.popleft()
            capacity = max(1, self.window // spacing)  # calls the window takes at this spacing
            if len(self.let_through) >= capacity:
                at = max(at, self.let_through[-capacity] + self.window)
            # Turns missed in a stall go out at most BURST at once: a burst is what
            # bunches calls past the platform's count, network jitter added. (One
            # pace short of BURST paces: a row a little late still goes at once.)
            if len(self.let_through) >= BURST:
                at = max(at, self.let_through[-BURST] + spacing * (BURST - 1))
        return at

    def let_through_at(self, at: datetime) -> None:
        if self.learned is not None:
            self.let_through.append(at)

    def next_turn(self, now: datetime) -> datetime:
        """Where a row that starts waiting now is put: after those already waiting, the pace apart."""
        at = self.earliest(now)
        spacing = self.spacing(now)
        if spacing is not None and self.last_turn is not None:
            at = max(at, self.last_turn + spacing)
        return at

    def last_used(self) -> datetime | None:
        times = (self.accepted[-1] if self.accepted else None,
                 self.let_through[-1] if self.let_through else None, self.rest_until, self.last_turn)
        return max((t for t in times if t is not None), default=None)


@dataclass(frozen=True)
class Turn:
    at: datetime
    lane: Lane  # the lane that made the row wait
    lanes: tuple[Lane, ...]  # the row's lanes when the turn was given
    refusals: tuple[tuple[Lane, int], ...]  # each limited one with its refusal count then


class LaneSchedule:
    def __init__(self) -> None:
        self._lanes: dict[Lane, _LaneState] = {}
        self._turns: dict[int, Turn] = {}

    def refused(
        self, lane: Lane, retry_after: float, now: datetime, row_id: int, *,
        lanes: tuple[Lane, ...] = (), wider: Lane | None = None, admitted: datetime | None = None,
    ) -> Turn:
        """The platform answered 429 on this lane and asked for `retry_after` seconds
        of rest. The refused row was first in line: it gets the first turn after,
        on its `lanes`. `wider` is the method's lane across destinations, when the
        platform caps that too; `admitted`, when the refused call was let through."""
        rest = timedelta(seconds=retry_after)
        if wider is not None and self._refused_wider(lane, wider, rest, now):
            lane = wider
        lanes = lanes if lane in lanes else (lane,)
        state = self._lanes.setdefault(lane, _LaneState())
        if admitted is not None and state.refused_at is not None and admitted < state.refused_at:
            # In flight when the lane was refused: the same refusal, nothing new to
            # learn. It queues behind the rows already waiting, the queue kept.
            return self._give(row_id, lanes, self._limited(lanes), now)
        if state.refusals == 0:
            state.window = max(rest, SHORTEST_WINDOW)
        self._slow_down(state, rest, admitted or now)
        state.rest_until = max(state.rest_until or now, now + rest)
        state.refused_at = now
        state.refusals += 1  # the queue forms again, as the rows ask in their order
        state.last_turn = None
        return self._give(row_id, lanes, self._limited(lanes), now)

    def accepted(self, lanes: Iterable[Lane], started: datetime) -> None:
        """A call on these lanes, admitted at `started`, went through."""
        for lane in lanes:
            calls = self._lanes.setdefault(lane, _LaneState()).accepted
            calls.append(started)
            while calls[0] < started - RECENT_WINDOW:
                calls.popleft()

    def admit(self, row_id: int, lanes: tuple[Lane, ...], now: datetime) -> Turn | None:
        """None when the row may call now; otherwise its turn on its lanes, kept for it."""
        limited = self._limited(lanes)
        turn = self._turns.pop(row_id, None)
        if turn is not None and turn.lanes == lanes and self._valid(turn):
            # Its turn, once the window has room: rows late for theirs catch up within it.
            ready = max([turn.at, *(state.earliest(now) for _, state in limited)])
            if ready > now:
                self._turns[row_id] = turn = replace(turn, at=ready)
                return turn
        elif limited and max(state.next_turn(now) for _, state in limited) > now:
            return self._give(row_id, lanes, limited, now)
        for _, state in limited:
            state.let_through_at(now)
        return None

    def untried(self, lane: Lane) -> bool:
        """Whether nothing is known of the lane yet: no call it took, no refusal."""
        state = self._lanes.get(lane)
        return state is None or not (state.accepted or state.refusals)

    def waiting(self, row_id: int, now: datetime) -> Turn | None:
        """The row's turn, if it holds one still to come: it can be put back without a plan."""
        turn = self._turns.get(row_id)
        return turn if turn is not None and turn.at > now and self._valid(turn) else None

    def next_turn(self, now: datetime) -> datetime | None:
        """When the next waiting row falls due, to wake up for it."""
        self._forget_old(now)
        return min((turn.at for turn in self._turns.values() if turn.at > now), default=None)

    def _limited(self, lanes: tuple[Lane, ...]) -> list[tuple[Lane, _LaneState]]:
        """The lanes the platform has refused, which keep a pace."""
        return [(lane, self._lanes[lane]) for lane in lanes if lane in self._lanes and self._lanes[lane].refusals]

    @staticmethod
    def _slow_down(state: _LaneState, rest: timedelta, until: datetime) -> None:
        """The pace to keep after a refusal. A lane refused while it kept a pace was
        a little too fast (jitter bunched a few calls, or another process shares
        the limit): it slows from where it was. Learning the pace again from what
        it took would take the margin for the platform's limit, and each refusal
        would cost the margin once more, for good."""
        pace = state.pace(until)
        if pace is not None:
            state.slowed = pace * PACE_BACKOFF
            return
        # What the platform took in the rest before the refused call: counted up to
        # when that call started, as calls started after it may still be in flight.
        taken = sum(1 for started in state.accepted if until - rest < started <= until)
        # Nothing taken lately (another process used the limit up?): no pace to
        # keep yet, the burst after the rest will show one.
        state.learned = state.slowed = -(-rest // taken) if taken else None

    def _refused_wider(self, lane: Lane, wider: Lane, rest: timedelta, now: datetime) -> bool:
        """Whether a destination's refusal is the method's cap across destinations."""
        state = self._lanes.get(lane)
        if state is not None and state.accepted and state.accepted[-1] > now - rest:
            return False  # it took calls lately: its own limit
        method = self._lanes.setdefault(wider, _LaneState())
        if method.rest_until is not None and method.rest_until > now:
            return True
        before, method.idle_refused = method.idle_refused, (lane, now)
        return before is not None and before[0] != lane and before[1] > now - rest

    def _give(self, row_id: int, lanes: tuple[Lane, ...], limited: list[tuple[Lane, _LaneState]], now: datetime) -> Turn:
        holding, state = max(limited, key=lambda pair: pair[1].next_turn(now))
        at = state.next_turn(now)
        for _, each in limited:
            each.last_turn = at
        if len(self._turns) >= MAX_TURNS:
            self._turns.clear()
        refusals = tuple((lane, each.refusals) for lane, each in limited)
        turn = self._turns[row_id] = Turn(at, holding, lanes, refusals)
        return turn

    def _valid(self, turn: Turn) -> bool:
        # A refusal since the turn was given voids it: the row asks again, in its order.
        return all(lane in self._lanes and self._lanes[lane].refusals == count for lane, count in turn.refusals)

    def _forget_old(self, now: datetime) -> None:
        idle = now - LANE_MEMORY
        for lane in [lane for lane, state in self._lanes.items() if (state.last_used() or idle) <= idle]:
            del self._lanes[lane]
        for row_id in [row_id for row_id, turn in self._turns.items() if turn.at < idle]:
            del self._turns[row_id]
