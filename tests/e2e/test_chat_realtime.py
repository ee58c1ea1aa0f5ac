"""Realtime delivery through the real app, with clients speaking Reflex's Socket.IO protocol
(bench/reflex_client.py): one worker without Redis, and two Granian workers sharing Redis
(127.0.0.1:6379/2), where a message crosses from the sender's worker to the recipient's.
A tab that was offline while messages were sent gets each exactly once when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.reflex_client import (
    Backend,
    Member,
    Tab,
    backend_env,
    free_port,
    migrate,
    seed_pairs,
    worker_of,
)

REDIS_URL = os.environ.get("BARTR_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def _start(
    tmp: Path, *, workers: int, redis_url: str | None, pairs: int
) -> Iterator[tuple[str, list[Member]]]:
    port = free_port()
    db_url = f"sqlite:///{tmp / 'chat.db'}"
    env = backend_env(db_url, port, redis_url=redis_url, workers=workers)
    migrate(env)
    members = seed_pairs(db_url, 2 * pairs)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    with Backend(env, port, tmp / "backend.log"):
        yield f"http://127.0.0.1:{port}", members


def _run(scenario) -> None:  # type: ignore[no-untyped-def]
    """asyncio.run in a thread: Playwright's sync API (other tests in this process) keeps an
    event loop running in the main thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


async def _until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("not delivered in time")
        await asyncio.sleep(0.1)


async def _exchange(base: str, members: list[Member]) -> list[Tab]:
    """Every member sends one message to its partner; returns the tabs once all arrived."""
    tabs = [Tab(base, m) for m in members]
    for tab in tabs:
        await tab.connect()
    await asyncio.wait_for(asyncio.gather(*(t.ready.wait() for t in tabs)), timeout=60)
    for i, tab in enumerate(tabs):
        await tab.send(f"hello from {i}")
    for i, tab in enumerate(tabs):
        partner = tabs[tab.member.partner_index]
        await _until(
            lambda t=tab, i=i, p=partner: f"hello from {i}" in {a.text for a in p.arrivals.values()}
        )
    return tabs


def test_one_worker_delivers_to_the_other_member_live(tmp_path: Path) -> None:
    with _start(tmp_path, workers=1, redis_url=None, pairs=2) as (base, members):

        async def scenario() -> None:
            tabs = await _exchange(base, members)
            assert all(t.duplicates == 0 for t in tabs)
            assert all(len(t.arrivals) == 1 for t in tabs)
            await asyncio.gather(*(t.disconnect() for t in tabs))

        _run(scenario)


def test_a_tab_that_was_offline_gets_each_missed_message_exactly_once(tmp_path: Path) -> None:
    with _start(tmp_path, workers=1, redis_url=None, pairs=1) as (base, members):

        async def scenario() -> None:
            maya, ben = Tab(base, members[0]), Tab(base, members[1])
            for tab in (maya, ben):
                await tab.connect()
                await asyncio.wait_for(tab.ready.wait(), timeout=60)
            await maya.send("before the gap")
            await _until(lambda: len(ben.arrivals) == 1)
            await ben.disconnect()  # the laptop lid closes
            for n in range(3):
                await maya.send(f"while away {n}")
            await _until(lambda: len(maya.mine) == 4)
            ben.ready.clear()
            await ben.connect()  # same tab (same client token): reconnects and catches up
            await _until(lambda: len(ben.arrivals) == 4)
            await asyncio.sleep(1.0)  # anything late would show up as a duplicate now
            assert sorted(a.text for a in ben.arrivals.values()) == [
                "before the gap", "while away 0", "while away 1", "while away 2",
            ]  # fmt: skip
            assert ben.duplicates == 0
            await asyncio.gather(maya.disconnect(), ben.disconnect())

        _run(scenario)


@pytest.mark.skipif(not _redis_up(), reason=f"Redis not reachable at {REDIS_URL}")
def test_two_workers_sharing_redis_deliver_across_workers(tmp_path: Path) -> None:
    with _start(tmp_path, workers=2, redis_url=REDIS_URL, pairs=8) as (base, members):

        async def scenario() -> None:
            tabs = await _exchange(base, members)
            assert all(t.duplicates == 0 for t in tabs)
            workers = {t.client_token: worker_of(REDIS_URL, t.client_token) for t in tabs}
            assert len(set(workers.values()) - {None}) == 2, "both workers hold sockets"
            split = [
                t for t in tabs
                if workers[t.client_token] != workers[tabs[t.member.partner_index].client_token]
            ]  # fmt: skip
            assert split, "at least one pair talks across workers (16 tabs, 2 workers)"
            await asyncio.gather(*(t.disconnect() for t in tabs))

        _run(scenario)
