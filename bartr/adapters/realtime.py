"""Live pushes to members' open tabs: an in-process hub, bridged across workers by Redis.

The hub knows which client tokens (browser tabs) of which member are connected to THIS
process, and hands each signal for a member to a `deliver(token, signals)` coroutine that
the app installs (state/live.py: it updates that tab's state with `app.modify_state`).

    hub.attach(member_id, token, views={"header", "chat"})
    hub.publish([recipient_id, sender_id], {"kind": "message", ...})   # any thread

A signal's "view" limits it to tabs showing that view; its "origin" names the tab whose own
action caused it (that tab already shows the result, the member's other tabs still hear).

Signals are small JSON dicts that say *that* something changed, never the data itself: the
tab re-reads SQL by the last id it saw, so a lost or repeated signal loses or duplicates
nothing (the database is the truth; signals are only "look now").

Without Redis (the embedded default) `publish` feeds the local hub. With a Redis URL every
worker subscribes to one pub/sub channel and `publish` goes through it, so a member's tabs
hear of a message whichever worker they are connected to. Nothing here knows Reflex or the
database (adapters sit below the app).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger("bartr.realtime")

Signal = dict[str, Any]
Deliver = Callable[[str, list[Signal]], Awaitable[bool]]  # False: the tab is gone

CHANNEL = "bartr:live"


class Hub:
    """member id -> this process's connected tabs, and the delivery of signals to them."""

    def __init__(self) -> None:
        self._tabs: dict[int, dict[str, set[str]]] = {}
        self._owner: dict[str, int] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deliver: Deliver | None = None
        self._redis_url: str | None = None
        self._outgoing: asyncio.Queue[tuple[list[int], Signal]] | None = None
        # Per tab: signals waiting, and whether a delivery task is draining them.
        self._pending: dict[str, list[Signal]] = {}
        self._draining: set[str] = set()
        # Tabs with a follow-up already scheduled (one per tab per burst).
        self._follow_ups: set[str] = set()
        self.delivered = 0

    # --- who is connected here -------------------------------------------------------
    def attach(self, member_id: int, token: str, views: Iterable[str] = ("header",)) -> None:
        """Register a tab of `member_id` (again on every page load: views are replaced)."""
        if not token or not member_id:
            return
        with self._lock:
            previous = self._owner.get(token)
            if previous is not None and previous != member_id:  # logged in as someone else
                self._tabs.get(previous, {}).pop(token, None)
            self._owner[token] = member_id
            self._tabs.setdefault(member_id, {})[token] = set(views)

    def add_view(self, token: str, view: str) -> None:
        with self._lock:
            member = self._owner.get(token)
            if member is not None:
                self._tabs.setdefault(member, {}).setdefault(token, set()).add(view)

    def detach(self, token: str) -> None:
        with self._lock:
            member = self._owner.pop(token, None)
            if member is not None:
                tabs = self._tabs.get(member, {})
                tabs.pop(token, None)
                if not tabs:
                    self._tabs.pop(member, None)

    def tabs(self, member_id: int) -> dict[str, set[str]]:
        with self._lock:
            return {t: set(v) for t, v in self._tabs.get(member_id, {}).items()}

    def views(self, token: str) -> set[str]:
        with self._lock:
            member = self._owner.get(token)
            return set(self._tabs.get(member, {}).get(token, set())) if member else set()

    def connected_count(self) -> int:
        with self._lock:
            return len(self._owner)

    # --- sending -------------------------------------------------------------------------
    def publish(self, member_ids: Iterable[int], signal: Signal) -> None:
        """Tell `member_ids`' tabs (in every worker) that `signal` happened. Any thread.

        Call it after commit. A no-op until `run` started in this process (scripts, tests
        without the app): the tabs then catch up from SQL when they next load.
        """
        loop, queue = self._loop, self._outgoing
        if loop is None or queue is None or loop.is_closed():
            return
        item = (sorted({int(m) for m in member_ids if m}), signal)
        if not item[0]:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            queue.put_nowait(item)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

    def dispatch_local(self, member_ids: Iterable[int], signal: Signal) -> None:
        """Deliver to the tabs connected to this process (on the hub's loop)."""
        for member_id in member_ids:
            for token, views in self.tabs(int(member_id)).items():
                wanted = signal.get("view")
                if (wanted and wanted not in views) or token == signal.get("origin"):
                    continue
                self._pending.setdefault(token, []).append(signal)
                if token not in self._draining:
                    self._draining.add(token)
                    asyncio.get_running_loop().create_task(self._drain(token))

    async def _drain(self, token: str) -> None:
        """One task per tab at a time: signals that arrive meanwhile go in the next batch."""
        try:
            while self._pending.get(token):
                batch = self._pending.pop(token)
                deliver = self._deliver
                if deliver is None:
                    return
                try:
                    alive = await deliver(token, batch)
                except Exception:
                    log.exception("live delivery to a tab failed")
                    alive = True
                if not alive:
                    self.detach(token)
                    self._pending.pop(token, None)
                    return
                self.delivered += len(batch)
        finally:
            self._draining.discard(token)

    def later(self, delay: float, member_ids: Iterable[int], signal: Signal) -> None:
        """Deliver `signal` locally after `delay` seconds (typing indicators fading out)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        members = list(member_ids)
        loop.call_later(delay, self.dispatch_local, members, signal)

    def follow_up(self, token: str, delay: float) -> None:
        """Deliver `{"kind": "follow_up"}` to this process's tab `token` after `delay` s.

        Coalesced: while one is scheduled for the tab, asking again does nothing, so a burst
        of messages costs the tab one follow-up (read marks, lists, counts). Any thread;
        a no-op until `run` started (tests then call the follow-up themselves).
        """
        loop = self._loop
        if not token or loop is None or loop.is_closed():
            return

        def schedule() -> None:
            if token in self._follow_ups:
                return
            self._follow_ups.add(token)
            loop.call_later(delay, self._fire_follow_up, token)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            schedule()
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(schedule)

    def _fire_follow_up(self, token: str) -> None:
        self._follow_ups.discard(token)
        with self._lock:
            if token not in self._owner:
                return
        self._pending.setdefault(token, []).append({"kind": "follow_up"})
        if token not in self._draining:
            self._draining.add(token)
            asyncio.get_running_loop().create_task(self._drain(token))

    # --- running ---------------------------------------------------------------------------
    async def run(self, deliver: Deliver, redis_url: str | None = None) -> None:
        """Started once per worker with the app; runs until cancelled."""
        self._loop = asyncio.get_running_loop()
        self._deliver = deliver
        self._redis_url = redis_url
        self._outgoing = asyncio.Queue()
        if redis_url:
            await self._run_redis(redis_url)
        else:
            while True:
                members, signal = await self._outgoing.get()
                self.dispatch_local(members, signal)

    async def _run_redis(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.from_url(url)
        listener = asyncio.create_task(self._listen(client))
        try:
            assert self._outgoing is not None
            while True:
                members, signal = await self._outgoing.get()
                payload = json.dumps({"m": members, "s": signal})
                try:
                    await client.publish(CHANNEL, payload)
                except Exception:
                    # Redis away: this worker's own tabs still hear of it; the others
                    # catch up from SQL on their next load.
                    log.exception("live publish through Redis failed; delivering locally")
                    self.dispatch_local(members, signal)
        finally:
            listener.cancel()
            with contextlib.suppress(BaseException):
                await listener
            await client.aclose()

    async def _listen(self, client: Any) -> None:
        while True:
            try:
                pubsub = client.pubsub()
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        data = json.loads(message["data"])
                        self.dispatch_local(data["m"], data["s"])
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed live signal")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live subscription lost; resubscribing")
                await asyncio.sleep(1.0)

    def stop(self) -> None:
        self._loop = None
        self._outgoing = None
        self._deliver = None
        self._follow_ups.clear()


hub = Hub()
