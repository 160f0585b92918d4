"""The pace a refused lane keeps (bot.delivery.lanes), driven directly on a clock
of its own: counted over a window as the platform counts it, not lost to rows
that wake late for their turns, slowed by a refusal while kept, and recovered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.delivery.lanes import BURST, PACE_BACKOFF, PACE_MARGIN, Lane, LaneSchedule

LANE = Lane("slack", "chat.postMessage")
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)


def taught(calls: int = 100) -> LaneSchedule:
    """A schedule whose lane took `calls` in the second before START, and was then refused for a second."""
    schedule = LaneSchedule()
    for n in range(calls):
        schedule.accepted([LANE], START - timedelta(seconds=1) + n * timedelta(seconds=1) / calls)
    schedule.refused(LANE, 1.0, START, row_id=0, lanes=(LANE,))
    return schedule


def run(schedule: LaneSchedule, start: datetime, until: datetime, first_row: int = 1,
        asking_from: datetime | None = None) -> list[datetime]:
    """Rows ask for the lane every millisecond, in order, from `asking_from`, and
    each asks again at its turn: when each was let through."""
    let_through, row, now = [], first_row, start
    asking_from = asking_from or start
    while now < until:
        if now >= asking_from:
            while True:
                turn = schedule.admit(row, (LANE,), now)
                if turn is not None and turn.at > now:
                    break
                if turn is None:
                    let_through.append(now)
                    row += 1
        now += MS
    return let_through


def most_in_a_window(times: list[datetime], window: timedelta = timedelta(seconds=1)) -> int:
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_after_a_refusal_the_lane_keeps_under_the_limit_it_showed_in_any_window():
    schedule = taught(100)
    sent = run(schedule, START, START + timedelta(seconds=11))
    assert sent[0] >= START + timedelta(seconds=1)  # the Retry-After
    capacity = int(timedelta(seconds=1) / (timedelta(milliseconds=10) * PACE_MARGIN))
    # The pace, a little slower than the 100 a second it showed (this clock ticks in whole milliseconds).
    assert capacity - 2 <= most_in_a_window(sent) <= capacity == 95
    assert len(sent) >= 10 * (capacity - 2)  # ten seconds at that pace, all of it used


def test_rows_that_wake_late_for_their_turns_lose_nothing_and_a_stall_costs_only_itself():
    steady = run(taught(100), START, START + timedelta(seconds=6))
    # Every row wakes 7 ms after its turn: the turns keep their times (a late
    # call does not push the next ones back), so nothing is lost.
    late = taught(100)
    woken, row, now = [], 1, START
    while now < START + timedelta(seconds=6):
        turn = late.admit(row, (LANE,), now)
        if turn is None:
            woken.append(now)
            row += 1
            continue
        now = max(now + MS, turn.at + 7 * MS)
    assert most_in_a_window(woken) <= most_in_a_window(steady)
    assert len(woken) >= len(steady) - 3  # 469 at the steady pace
    # Nobody asks for the lane between 2.0 s and 2.6 s (a long database write, a
    # garbage collection): the turns due meanwhile catch up a few at a time, as
    # far as the window allows, never past it; the stall costs at most its own length.
    schedule = taught(100)
    before = run(schedule, START, START + timedelta(seconds=2))
    after = run(schedule, START + timedelta(seconds=2), START + timedelta(seconds=6), first_row=len(before) + 1,
                asking_from=START + timedelta(seconds=2.6))
    stalled = before + after
    assert most_in_a_window(stalled) <= most_in_a_window(steady)
    # A few at once, not the whole backlog: bursts are what bunch calls past the platform's count.
    resumed = START + timedelta(seconds=2.6)
    assert 1 < sum(at == resumed for at in after) <= BURST
    assert len(stalled) >= len(steady) - 0.6 * 95


def test_a_refusal_while_keeping_the_pace_slows_it_a_little_and_it_recovers():
    schedule = taught(100)
    run(schedule, START, START + timedelta(seconds=3))
    state = schedule._lanes[LANE]  # noqa: SLF001  (the pace is the lane's own business)
    learned = state.pace(START)
    refused_at = START + timedelta(seconds=3)
    # Jitter bunched a few calls: refused at the pace it had learned, with a
    # full window behind it. It does not learn again from what it took (95 a
    # second would become its new "limit", and 95 / 1.05 its pace).
    schedule.refused(LANE, 1.0, refused_at, row_id=10_000, lanes=(LANE,), admitted=refused_at - MS)
    assert state.pace(refused_at) == learned * PACE_BACKOFF
    later = refused_at + timedelta(seconds=5)
    assert learned < state.pace(later) < learned * PACE_BACKOFF  # speeding up again, window by window
    assert state.pace(refused_at + timedelta(minutes=5)) == learned  # and never past what it learned


def test_calls_in_flight_when_the_lane_was_refused_do_not_slow_it_again():
    schedule = taught(100)
    state = schedule._lanes[LANE]  # noqa: SLF001
    learned = state.pace(START)
    for row in range(1, 20):  # let through before the refusal, answered after it
        schedule.refused(LANE, 1.0, START + row * MS, row_id=row, lanes=(LANE,), admitted=START - MS)
    assert state.pace(START + 20 * MS) == learned
