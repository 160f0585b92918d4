"""TeamsChannel without a network: pacing, and sorting connector failures."""

from __future__ import annotations

import pytest

from adapters.teams.channel import MESSAGES_PER_SECOND, TeamsChannel, status_and_retry_after


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_sends_to_one_conversation_are_spaced_to_seven_a_second():
    clock = FakeClock()
    channel = TeamsChannel(adapter=None, sessions=None, app_id="", sleep=clock.sleep, monotonic=clock.monotonic)
    for _ in range(8):
        await channel._pace("19:abc@thread.tacv2")
    assert clock.slept == [pytest.approx(1 / MESSAGES_PER_SECOND)] * 7
    # Another conversation is not held back by the first.
    await channel._pace("a:personal-ana")
    assert len(clock.slept) == 7


class Response:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status_code, self.headers = status, headers


class ConnectorError(Exception):
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__("(TooManyRequests) slow down")
        self.response = Response(status, headers)


def test_throttling_answers_carry_their_status_and_retry_after():
    assert status_and_retry_after(ConnectorError(429, {"Retry-After": "3"})) == (429, 3.0)
    assert status_and_retry_after(ConnectorError(502, {})) == (502, None)
    assert status_and_retry_after(ValueError("no response")) == (None, None)
