"""The live hub: which tabs hear of what, one delivery task per tab, and the Redis bridge
that lets two workers (two hubs) reach each other's tabs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

import pytest

from bartr.adapters import realtime
from bartr.adapters.realtime import Hub, Signal

REDIS_URL = os.environ.get("BARTR_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


class Recorder:
    def __init__(self, gone: set[str] | None = None) -> None:
        self.got: list[tuple[str, Signal]] = []
        self.gone = gone or set()

    async def __call__(self, token: str, signals: list[Signal]) -> bool:
        if token in self.gone:
            return False
        self.got.extend((token, s) for s in signals)
        return True


async def _settle(condition, timeout: float = 3.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def test_a_signal_reaches_every_tab_of_the_members_named_and_nobody_else() -> None:
    async def scenario() -> None:
        hub, rec = Hub(), Recorder()
        hub.attach(1, "maya-tab-1")
        hub.attach(1, "maya-tab-2")
        hub.attach(2, "ben-tab")
        hub.attach(3, "stranger-tab")
        runner = asyncio.create_task(hub.run(rec))
        await asyncio.sleep(0)
        hub.publish([1, 2], {"kind": "message", "message_id": 7})
        await _settle(lambda: len(rec.got) == 3)
        await asyncio.sleep(0.05)
        assert sorted(t for t, _ in rec.got) == ["ben-tab", "maya-tab-1", "maya-tab-2"]
        # The tab that sent it already shows it: only the member's other tabs hear.
        rec.got.clear()
        hub.publish([1, 2], {"kind": "message", "message_id": 8, "origin": "maya-tab-1"})
        await _settle(lambda: len(rec.got) == 2)
        await asyncio.sleep(0.05)
        assert sorted(t for t, _ in rec.got) == ["ben-tab", "maya-tab-2"]
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    asyncio.run(scenario())


def test_follow_ups_are_coalesced_per_tab_and_skip_gone_tabs() -> None:
    async def scenario() -> None:
        hub, rec = Hub(), Recorder()
        hub.attach(1, "maya-tab")
        hub.attach(2, "ben-tab")
        runner = asyncio.create_task(hub.run(rec))
        await asyncio.sleep(0)
        for _ in range(5):  # a burst: one follow-up
            hub.follow_up("maya-tab", 0.05)
        await asyncio.to_thread(hub.follow_up, "ben-tab", 0.05)  # from a worker thread
        hub.follow_up("gone-tab", 0.01)  # never attached here: nothing delivered
        await _settle(lambda: len(rec.got) == 2)
        await asyncio.sleep(0.15)
        assert sorted(rec.got) == [
            ("ben-tab", {"kind": "follow_up"}),
            ("maya-tab", {"kind": "follow_up"}),
        ]
        hub.follow_up("maya-tab", 0.01)  # once delivered, the next burst gets its own
        await _settle(lambda: len(rec.got) == 3)
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    asyncio.run(scenario())


def test_a_signal_for_a_view_skips_tabs_not_showing_it_and_gone_tabs_are_forgotten() -> None:
    async def scenario() -> None:
        hub, rec = Hub(), Recorder(gone={"closed"})
        hub.attach(1, "on-chat", views={"header", "chat"})
        hub.attach(1, "on-wallet")
        hub.attach(1, "closed")
        runner = asyncio.create_task(hub.run(rec))
        await asyncio.sleep(0)
        hub.publish([1], {"kind": "typing", "view": "chat"})
        hub.publish([1], {"kind": "notifications"})
        await _settle(lambda: len(rec.got) == 3)
        assert ("on-chat", {"kind": "typing", "view": "chat"}) in rec.got
        assert ("on-wallet", {"kind": "typing", "view": "chat"}) not in rec.got
        assert "closed" not in hub.tabs(1)
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    asyncio.run(scenario())


def test_a_tab_logged_in_as_someone_else_stops_hearing_the_first_member() -> None:
    hub = Hub()
    hub.attach(1, "tab")
    hub.attach(2, "tab")
    assert hub.tabs(1) == {}
    assert set(hub.tabs(2)) == {"tab"}
    hub.detach("tab")
    assert hub.connected_count() == 0


def test_publish_from_another_thread_is_delivered_on_the_hub_loop() -> None:
    async def scenario() -> None:
        hub, rec = Hub(), Recorder()
        hub.attach(5, "tab")
        runner = asyncio.create_task(hub.run(rec))
        await asyncio.sleep(0)
        await asyncio.to_thread(hub.publish, [5], {"kind": "notifications"})
        await _settle(lambda: len(rec.got) == 1)
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    asyncio.run(scenario())


def test_publish_before_the_hub_runs_is_a_no_op() -> None:
    Hub().publish([1], {"kind": "notifications"})  # no loop, no error


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis not reachable at " + REDIS_URL)
def test_two_hubs_sharing_redis_reach_each_others_tabs_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(realtime, "CHANNEL", f"bartr:live:test:{uuid.uuid4().hex[:8]}")

    async def scenario() -> None:
        first, second = Hub(), Hub()
        rec_first, rec_second = Recorder(), Recorder()
        first.attach(1, "maya-on-worker-1")
        second.attach(2, "ben-on-worker-2")
        runners = [
            asyncio.create_task(first.run(rec_first, redis_url=REDIS_URL)),
            asyncio.create_task(second.run(rec_second, redis_url=REDIS_URL)),
        ]
        await asyncio.sleep(0.3)  # both subscribed
        first.publish([1, 2], {"kind": "message", "message_id": 1})
        await _settle(lambda: rec_first.got and rec_second.got)
        await asyncio.sleep(0.2)
        assert rec_first.got == [("maya-on-worker-1", {"kind": "message", "message_id": 1})]
        assert rec_second.got == [("ben-on-worker-2", {"kind": "message", "message_id": 1})]
        for r in runners:
            r.cancel()
        for r in runners:
            with contextlib.suppress(asyncio.CancelledError):
                await r

    asyncio.run(scenario())
