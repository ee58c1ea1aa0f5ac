"""Load and fault: members browse, chat and book while one backend worker is SIGKILLed.

    python -m bench.load_fault --members 200 --seconds 90
    python -m bench.load_fault --members 30 --seconds 30 --think 3  # quick, while developing
    python -m bench.load_fault --members 200 --seconds 90 --think 10  # ~20 actions/s: saturates
    python -m bench.load_fault --members 200 --seconds 90 --json /tmp/load.json

The production backend (`reflex run --env prod --backend-only`: Granian, two workers,
REDIS_URL) runs on loopback against its own PostgreSQL database (dropped and created
afresh each run, `--pg-db`, default `bartr_load`) and its own Redis db (`--redis-url`,
flushed first). No frontend build is needed: the members speak Reflex's Socket.IO
protocol as the browser does (`bench/reflex_client.py`): hydrate with the login cookie,
`on_load_internal` to change page, the pages' own event handlers.

Half the members teach (one skill, open every day 08:00-20:00 UTC), half learn (20
credits each); members 2k and 2k+1 share a conversation. Each member loops for
`--seconds` with a think time of `--think` s (default 40, jittered) between actions:

- browse:  the marketplace with a search (`/marketplace?q=...`: both load handlers);
- profile: a teacher's page (`/u/<handle>`);
- chat:    opens its conversation if not on it, sends a message (acknowledged when the
           member's own thread shows it); the partner's tab records what it is shown;
- book:    (learners) the request page for a random teacher's skill, one free time,
           send: the credits are held, the app redirects to the session page;
- accept:  (teachers) each request made to them is opened and accepted (the first time).

At `--kill-at` (a fraction of the run) one Granian worker process is SIGKILLed. Its members'
sockets drop; each reconnects with the same client token (as Reflex's frontend does) and
carries on. The harness watches what the server does: whether Granian starts a new worker
(and how long it took), and a probe GETs `/ping` every 200 ms. If the whole server stops
(as Reflex's Granian did before `bartr/serving.py`), the harness restarts it, as a process
supervisor would, and says so.

Afterwards every member opens its conversation once more (catch-up), and the database
is checked:
- the ledger invariants (`ledger.check_invariants`: entries balance, cached balances);
- every live session (requested, scheduled) holds exactly its cost in escrow, every other
  none; each learner's held balance is the sum of its sessions' escrows; each member's
  wallet plus holds is what it was given;
- each request a learner saw acknowledged exists (that learner, live), each accept a
  teacher saw acknowledged is scheduled at the chosen time;
- each message a sender saw acknowledged is in SQL exactly once, with that id; no text is
  stored twice; every message of a conversation was shown to the recipient (no loss) and
  no thread ever showed an id twice (no duplicate).

Latency per action (p50/p95/p99 of the successful ones) and error rates are reported for
three phases: before the kill (after `--warmup` s), during (an action that overlaps the
`--window` s from the kill), after. Outcomes: ok; refused (the app said no in words, e.g. an overlapping
time: a correct answer); dropped (the socket died under the action); timeout (no answer
in 20 s); error (the app's generic error). Exit status 1 when any check fails.

`run(...)` returns the same figures as a dict, for `bench/run_all.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

from bench.reflex_client import (
    ROOT_STATE,
    SESSION_COOKIE,
    Backend,
    backend_env,
    migrate,
    worker_of,
)

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
AUTH = f"{ROOT_STATE}.bartr___state___auth____auth_state"
CHAT = f"{AUTH}.bartr___state___live____live_state.bartr___state___chat____chat_state"
REQUEST = f"{AUTH}.bartr___state___session_request____session_request_state"
DETAIL = f"{AUTH}.bartr___state___session_detail____session_detail_state"
WORDS = ["Spanish", "guitar", "piano", "Python", "cooking", "French", "yoga", "drawing"]
LIVE_STATES = ("requested", "reschedule_proposed", "scheduled")
ACTION_TIMEOUT = 20.0
GIVEN = 20 * 60  # minor units each member receives (20 credits)


def short(full: str) -> str:
    """`...bartr___state___chat____chat_state` -> `chat_state`."""
    return full.rsplit("____", 1)[-1]


class Dropped(Exception):
    """The socket closed while an action waited for its answer."""


class Refused(Exception):
    """The app refused in words (a domain error shown to the member)."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


class AppError(Exception):
    """The app showed its generic error."""


# --------------------------------------------------------------------------- seeding


@dataclass
class Seat:
    index: int
    user_id: int
    handle: str
    login: str
    conversation_id: int
    partner: int
    teacher: bool
    skill_id: int = 0


def reset_database(db_name: str) -> str:
    """Drop and create the run's own PostgreSQL database; its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{db_name}"


def seed(database_url: str, members: int) -> list[Seat]:
    """Teachers (even) and learners (odd), in chatting pairs, through the services."""
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url  # the services read settings from it
    try:
        return _seed(database_url, members)
    finally:  # a runner calling run() goes on with its own database
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def _seed(database_url: str, members: int) -> list[Seat]:
    import bartr.models  # noqa: F401
    from bartr.db import make_engine, set_engine, unit_of_work
    from bartr.models.accounts import User
    from bartr.models.base import utcnow
    from bartr.services import accounts, availability, categories, ledger, messages, profiles

    engine = make_engine(database_url)
    set_engine(engine)
    tag = uuid.uuid4().hex[:6]
    seats: list[Seat] = []
    with unit_of_work() as db:
        slug = categories.list_categories(db)[0].slug
        users = []
        for i in range(members):
            user = User(
                email=f"load-{tag}-{i}@example.com",
                password_hash="!",
                display_name=f"Member {i}",
                handle=f"load-{tag}-{i}",
                onboarded_at=utcnow(),
                referral_code=f"load{tag}{i}",
                languages=["English"],
            )
            db.add(user)
            users.append(user)
        db.flush()
        for i, user in enumerate(users):
            ledger.grant(
                db,
                user_id=user.id or 0,
                amount=GIVEN,
                system=ledger.SYSTEM_WELCOME,
                kind="welcome",
                key=f"load-{tag}-{i}",
                memo="Load test credits",
            )
            login = accounts.open_session_for(db, user).token
            seats.append(Seat(i, user.id or 0, user.handle, login, 0, i ^ 1, i % 2 == 0))
        for seat, user in zip(seats, users, strict=True):
            if seat.teacher:
                skill = profiles.do_add_skill(
                    db,
                    actor=user,
                    kind="teach",
                    category_slug=slug,
                    title=f"{WORDS[seat.index // 2 % len(WORDS)]} with member {seat.index}",
                    level=profiles.LEVELS[0],
                )
                seat.skill_id = skill.id
                availability.do_set_availability(
                    db, actor=user, windows=[(d, "08:00", "20:00") for d in range(7)]
                )
        for i in range(0, members - 1, 2):
            conv = messages.do_open_conversation(db, actor=users[i], other_id=users[i + 1].id or 0)
            seats[i].conversation_id = seats[i + 1].conversation_id = conv.id or 0
    set_engine(None)
    engine.dispose()
    return seats


# --------------------------------------------------------------------------- the record


@dataclass
class Sample:
    action: str
    at: float  # seconds since the start, when the action began
    ms: float
    outcome: str  # ok | refused | dropped | timeout | error


@dataclass
class Record:
    started: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    deliveries: list[tuple[float, float]] = field(default_factory=list)  # (at, ms)
    drops: list[float] = field(default_factory=list)
    reconnects: list[tuple[float, float]] = field(default_factory=list)  # (dropped at, s)
    never_back: int = 0
    sent_at: dict[str, float] = field(default_factory=dict)  # message text -> perf time
    fault: dict[str, Any] = field(default_factory=dict)
    probe: list[tuple[float, bool]] = field(default_factory=list)
    new_tokens: int = 0
    why: Counter[str] = field(default_factory=Counter)  # refusals and errors, in words
    sockets: dict[str, dict[str, int]] = field(default_factory=dict)  # when -> worker -> n

    def now(self) -> float:
        return time.perf_counter() - self.started


# --------------------------------------------------------------------------- a member


class Member:
    """One member's browser tab: one socket, one page at a time, the same client token."""

    def __init__(self, seat: Seat, base: str, record: Record, everyone: list[Member]) -> None:
        self.seat, self.base, self.record, self.everyone = seat, base, record, everyone
        self.token = str(uuid.uuid4())
        self.path, self.query = "/", {}
        self.sio: Any = None
        self.connected = False
        self.vars: dict[str, dict[str, Any]] = defaultdict(dict)
        self.waiter: tuple[Any, asyncio.Future[Any]] | None = None
        self.first_delta = asyncio.Event()
        # Chat: ids shown in this tab's thread (theirs), acknowledged own messages.
        self.seen: set[int] = set()
        self.shown_twice: set[int] = set()
        self.acked: dict[str, int] = {}  # text -> id
        self.sent: list[str] = []
        # Booking.
        self.requests: dict[int, str] = {}  # session id -> (learner) acknowledged
        self.accepted: dict[int, str] = {}  # session id -> iso (teacher) acknowledged
        self.inbox: asyncio.Queue[int] = asyncio.Queue()  # requests made to this teacher
        self.dropped_at: float | None = None
        self.rejoin: asyncio.Task[bool] | None = None
        self.joining = False
        self.deadline = 0.0  # reconnecting stops after this (seconds since the start)
        self.opening_thread = False

    # --- the socket ---------------------------------------------------------------------
    def _router(self) -> dict[str, Any]:
        qs = "&".join(f"{k}={v}" for k, v in self.query.items())
        return {
            "pathname": self.path,
            "asPath": self.path + (f"?{qs}" if qs else ""),
            "query": dict(self.query),
        }

    async def connect(self, deadline: float) -> None:
        """Open the socket and wait, as a browser does, until the page has hydrated."""
        sio = socketio.AsyncClient(reconnection=False)

        async def gone(*_: Any) -> None:
            if sio is self.sio:  # not a late goodbye from a socket already replaced
                await self._on_disconnect()

        sio.on("event", self._on_event, namespace="/_event")
        sio.on("disconnect", gone, namespace="/_event")
        sio.on("new_token", self._on_new_token, namespace="/_event")
        self.first_delta.clear()
        self.sio = sio
        hydrate = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"vars": {}},
            "router_data": self._router(),
        }
        await sio.connect(
            f"{self.base}?token={self.token}",
            namespaces=["/_event"],
            transports=["websocket"],
            socketio_path="/_event",
            auth={"event": hydrate},
            headers={"Cookie": f"{SESSION_COOKIE}={self.seat.login}"},
            wait_timeout=15,
        )
        self.connected = True
        # A slow server is no reason to drop the socket: wait for the hydration.
        while not self.first_delta.is_set():
            if not self.connected:
                raise Dropped()
            if self.record.now() > deadline:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.first_delta.wait(), timeout=1.0)

    async def _on_new_token(self, token: str) -> None:
        """The server took this tab for a duplicate and gave it a new client token (the
        browser stores it in sessionStorage and uses it from now on)."""
        self.token = token
        self.record.new_tokens += 1

    async def _on_disconnect(self, *_: Any) -> None:
        if self.connected:
            self.connected = False
            self.dropped_at = self.record.now()
            self.record.drops.append(self.dropped_at)
            # The browser reconnects at once, whatever the member is doing.
            if not self.joining:
                self.rejoin = asyncio.create_task(self.reconnect(self.deadline))
        if self.waiter and not self.waiter[1].done():
            self.waiter[1].set_exception(Dropped())

    async def back(self) -> bool:
        """Connected and hydrated again (waiting for a reconnect under way), or False."""
        if self.connected and not self.joining:
            return True
        if self.rejoin is not None and not self.rejoin.done():
            return await self.rejoin
        return await self.reconnect(self.deadline)

    async def close(self) -> None:
        self.connected = False
        sio, self.sio = self.sio, None
        if sio is not None:
            with contextlib.suppress(Exception):
                await sio.disconnect()

    async def reconnect(self, deadline: float) -> bool:
        """Back with the same client token (the page's on_load runs again), or False."""
        self.joining = True
        try:
            while self.record.now() < deadline:
                await self.close()
                try:
                    await self.connect(deadline)
                except Exception:
                    self.connected = False
                    await asyncio.sleep(random.uniform(0.5, 1.5))
                    continue
                if self.dropped_at is not None:
                    self.record.reconnects.append(
                        (self.dropped_at, self.record.now() - self.dropped_at)
                    )
                    self.dropped_at = None
                return True
            return False
        finally:
            self.joining = False

    async def _on_event(self, data: Any) -> None:
        now = time.perf_counter()
        delta = {short(k): v for k, v in ((data or {}).get("delta") or {}).items()}
        events = (data or {}).get("events") or []
        for name, values in delta.items():
            self.vars[name].update(values)
            if values.get("is_hydrated_rx_state_") is True:
                self.first_delta.set()  # the page's load handlers ran: the tab is usable
        chat = delta.get("chat_state") or {}
        if chat.get("conversation_id_rx_state_", self.seat.conversation_id) == (
            self.seat.conversation_id
        ):
            self._chat(chat, now)
        if self.waiter and not self.waiter[1].done():
            check, future = self.waiter
            try:
                verdict = check(delta, events)
            except Exception as exc:
                future.set_exception(exc)
                return
            if verdict is not None:
                future.set_result(verdict)

    def _chat(self, chat: dict[str, Any], now: float) -> None:
        for value in chat.values():
            if not (isinstance(value, list) and value and isinstance(value[0], dict)):
                continue
            if "mine" not in value[0] or "id" not in value[0]:
                continue  # not a list of bubbles
            ids = [int(b["id"]) for b in value]
            self.shown_twice.update(i for i, n in Counter(ids).items() if n > 1)
            for b in value:
                text = "".join(p.get("text", "") for p in b.get("parts", []))
                if b.get("mine"):
                    self.acked.setdefault(text, int(b["id"]))
                elif int(b["id"]) not in self.seen:
                    self.seen.add(int(b["id"]))
                    sent = self.record.sent_at.pop(text, None)
                    if sent is not None and not self.opening_thread:
                        self.record.deliveries.append(
                            (sent - self.record.started, (now - sent) * 1000)
                        )

    async def _ask(self, name: str, payload: dict[str, Any], check: Any) -> Any:
        """Send one event and wait until `check(delta, events)` says it was answered."""
        if not self.connected:
            raise Dropped()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiter = (check, future)
        try:
            await self.sio.emit(
                "event",
                {"name": name, "payload": payload, "router_data": self._router()},
                namespace="/_event",
            )
            return await asyncio.wait_for(future, timeout=ACTION_TIMEOUT)
        except (socketio.exceptions.BadNamespaceError, socketio.exceptions.ConnectionError):
            raise Dropped() from None
        finally:
            self.waiter = None

    async def timed(self, action: str, work: Any) -> Any:
        at, t0 = self.record.now(), time.perf_counter()
        outcome, result = "ok", None
        try:
            result = await work()
        except Refused as exc:
            outcome = "refused"
            self.record.why[f"{action} refused: {exc.why[:80]}"] += 1
        except Dropped:
            outcome = "dropped"
        except TimeoutError:
            outcome = "timeout"
        except AppError as exc:
            outcome = "error"
            self.record.why[f"{action} error: {str(exc)[:80]}"] += 1
        self.record.samples.append(Sample(action, at, (time.perf_counter() - t0) * 1000, outcome))
        return result if outcome == "ok" else None

    async def goto(self, path: str, query: dict[str, str], state: str, check: Any = None) -> Any:
        """Client-side navigation: the page's load handlers, done when `state` stops loading."""
        self.path, self.query = path, query

        def loaded(delta: dict[str, Any], _events: list[Any]) -> Any:
            values = delta.get(state) or {}
            if values.get("loading_rx_state_") is not False:
                return None
            error = values.get("load_error_rx_state_") or values.get("error_rx_state_")
            if error:
                return "error: " + str(error)
            if values.get("not_found_rx_state_"):
                return "error: not found"
            return check(values) if check else "ok"

        verdict = await self._ask(ON_LOAD, {}, loaded)
        if isinstance(verdict, str) and verdict.startswith("error"):
            generic = ("went wrong", "couldn't load", "just now")
            raise AppError(verdict) if any(g in verdict for g in generic) else Refused(verdict)
        return verdict

    # --- actions ------------------------------------------------------------------------
    async def browse(self) -> None:
        q = random.choice(WORDS)
        await self.timed("browse", lambda: self.goto("/marketplace", {"q": q}, "marketplace_state"))

    async def profile(self) -> None:
        handle = random.choice([m.seat.handle for m in self.everyone if m.seat.teacher])
        await self.timed(
            "profile", lambda: self.goto(f"/u/{handle}", {"handle": handle}, "profile_view_state")
        )

    async def chat(self) -> None:
        cid = str(self.seat.conversation_id)
        if self.path != f"/messages/{cid}":
            self.opening_thread = True
            try:
                opened = await self.timed(
                    "chat open",
                    lambda: self.goto(f"/messages/{cid}", {"conversation_id": cid}, "chat_state"),
                )
            finally:
                self.opening_thread = False
            if opened is None:
                return
        text = f"lf {self.seat.index}-{len(self.sent)} {uuid.uuid4().hex[:6]}"
        self.sent.append(text)

        def stored(delta: dict[str, Any], _events: list[Any]) -> Any:
            if text in self.acked:
                return self.acked[text]
            error = (delta.get("chat_state") or {}).get("send_error_rx_state_")
            return f"refused: {error}" if error else None

        partner = self.everyone[self.seat.partner]
        thread = f"/messages/{cid}"

        async def send() -> Any:
            if partner.path == thread and partner.connected:  # a live push, not a catch-up
                self.record.sent_at[text] = time.perf_counter()
            verdict = await self._ask(f"{CHAT}.send", {"form_data": {"body": text}}, stored)
            if isinstance(verdict, str):
                raise Refused(verdict)
            return verdict

        await self.timed("chat send", send)

    async def book(self) -> None:
        teacher = random.choice([m for m in self.everyone if m.seat.teacher])
        skill = str(teacher.seat.skill_id)
        page = await self.timed(
            "request page",
            lambda: self.goto("/sessions/new", {"skill": skill}, "session_request_state"),
        )
        if page is None:
            return
        days = [d for d in self.vars["session_request_state"].get("days_rx_state_", []) if d]
        slots = [s["iso"] for d in days for s in d.get("slots", [])]
        if not slots:
            self.record.samples.append(Sample("book", self.record.now(), 0.0, "refused"))
            return
        iso = random.choice(slots)

        def chosen(delta: dict[str, Any], _events: list[Any]) -> Any:
            values = delta.get("session_request_state") or {}
            picked = values.get("chosen_rx_state_")
            if picked is not None:
                return "ok" if any(c.get("iso") == iso for c in picked) else "missing"
            return None

        try:
            if await self._ask(f"{REQUEST}.toggle", {"iso": iso}, chosen) != "ok":
                return
        except (Dropped, TimeoutError):
            return

        def sent(delta: dict[str, Any], events: list[Any]) -> Any:
            for event in events:
                path = str((event.get("payload") or {}).get("path", ""))
                found = re.fullmatch(r"/sessions/(\d+)", path)
                if found:
                    return int(found.group(1))
            values = delta.get("session_request_state") or {}
            for key in ("errors_rx_state_", "form_error_rx_state_", "load_error_rx_state_"):
                if values.get(key):
                    return f"refused: {values[key]}"
            return None

        async def send() -> Any:
            verdict = await self._ask(f"{REQUEST}.send", {"form": {"message": "Load test"}}, sent)
            if isinstance(verdict, str):
                raise Refused(verdict)
            return verdict

        session_id = await self.timed("book", send)
        if session_id:
            self.requests[session_id] = iso
            teacher.inbox.put_nowait(session_id)
            sid = str(session_id)
            await self.timed(
                "session page",
                lambda: self.goto(f"/sessions/{sid}", {"session_id": sid}, "session_detail_state"),
            )

    async def accept(self, session_id: int) -> None:
        sid = str(session_id)
        page = await self.timed(
            "session page",
            lambda: self.goto(f"/sessions/{sid}", {"session_id": sid}, "session_detail_state"),
        )
        if page is None:
            return
        detail = self.vars["session_detail_state"]
        proposals = detail.get("proposals_rx_state_") or []
        if "accept" not in (detail.get("actions_rx_state_") or []) or not proposals:
            return
        iso = proposals[0]["iso"]

        def done(delta: dict[str, Any], _events: list[Any]) -> Any:
            values = delta.get("session_detail_state") or {}
            if values.get("busy_rx_state_") is not False:
                return None
            for key in ("action_error_rx_state_", "dialog_error_rx_state_"):
                if values.get(key):
                    return f"refused: {values[key]}"
            if values.get("state_rx_state_") == "scheduled":
                return "ok"
            return None

        async def accept() -> Any:
            verdict = await self._ask(f"{DETAIL}.accept", {"iso": iso}, done)
            if verdict != "ok":
                raise Refused(verdict)
            return verdict

        if await self.timed("accept", accept) == "ok":
            self.accepted[session_id] = iso

    # --- the member's life ----------------------------------------------------------------
    async def live(self, until: float, think: float) -> None:
        self.deadline = until + 30
        await asyncio.sleep(random.uniform(0, think))
        while self.record.now() < until:
            if not await self.back():
                return
            if self.seat.teacher and not self.inbox.empty():
                await self.accept(self.inbox.get_nowait())
            else:
                roll = random.random()
                if not self.seat.teacher and roll < 0.2:
                    await self.book()
                elif roll < 0.55:
                    await self.browse()
                elif roll < 0.7:
                    await self.profile()
                else:
                    await self.chat()
            await asyncio.sleep(think * random.uniform(0.5, 1.5))

    async def catch_up(self) -> None:
        """At the end: back on its own conversation, as a member returning to the thread."""
        self.deadline = self.record.now() + 60
        if not await self.back():
            self.record.never_back += 1
            return
        cid = str(self.seat.conversation_id)
        self.opening_thread = True
        for _ in range(3):
            try:
                await self.goto(f"/messages/{cid}", {"conversation_id": cid}, "chat_state")
                return
            except (Dropped, TimeoutError, Refused, AppError):
                await self.back()


# --------------------------------------------------------------------------- the fault


def workers_of(pid: int) -> list[int]:
    """Granian's worker processes: the children of the supervisor (`reflex run`)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry))
        except OSError:
            pass
    return sorted(found)


class Server:
    """The backend under test; restarted here if it stops (a supervisor's job)."""

    def __init__(self, env: dict[str, str], port: int, workdir: Path) -> None:
        self.env, self.port, self.workdir = env, port, workdir
        self.backend: Backend | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.backend = Backend(self.env, self.port, self.workdir / f"backend-{self.starts}.log")
        self.backend.__enter__()

    def stop(self) -> None:
        if self.backend is not None:
            self.backend.__exit__(None, None, None)

    @property
    def pid(self) -> int:
        assert self.backend is not None and self.backend.proc is not None
        return self.backend.proc.pid

    def alive(self) -> bool:
        assert self.backend is not None and self.backend.proc is not None
        return self.backend.proc.poll() is None


async def first_socket_on_a_new_worker(
    base: str, redis_url: str, known: set[str], record: Record, since: float
) -> float | None:
    """Seconds from `since` until a fresh socket lands on a worker not in `known`."""
    while record.now() < since + 30:
        sio = socketio.AsyncClient(reconnection=False)
        token = str(uuid.uuid4())
        try:
            await sio.connect(
                f"{base}?token={token}",
                namespaces=["/_event"],
                transports=["websocket"],
                socketio_path="/_event",
                wait_timeout=5,
            )
            await asyncio.sleep(0.05)
            owner = await asyncio.to_thread(worker_of, redis_url, token)
            if owner is not None and owner not in known:
                return round(record.now() - since, 2)
        except Exception:
            pass
        finally:
            with contextlib.suppress(Exception):
                await sio.disconnect()
        await asyncio.sleep(0.2)
    return None


async def kill_one_worker(
    server: Server,
    record: Record,
    at: float,
    watch: float,
    *,
    base: str,
    redis_url: str,
    members: list[Member],
) -> None:
    """SIGKILL one worker at `at`, then watch the supervisor for `watch` seconds."""
    await asyncio.sleep(max(0.0, at - record.now()))
    known = {
        w
        for w in await asyncio.to_thread(lambda: {worker_of(redis_url, m.token) for m in members})
        if w
    }
    before = workers_of(server.pid)
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    killed = record.now()
    fault: dict[str, Any] = {"killed_at_s": round(killed, 2), "workers_before": len(before)}
    record.fault = fault
    while record.now() < killed + watch:
        if not server.alive():
            fault["server_exited_after_s"] = round(record.now() - killed, 2)
            t0 = record.now()
            await asyncio.to_thread(server.start)  # as systemd's Restart=always would
            fault["restarted_by_harness_in_s"] = round(record.now() - t0, 2)
            break
        now_workers = workers_of(server.pid)
        fresh = [w for w in now_workers if w not in before]
        if fresh and "respawned_after_s" not in fault:
            fault["respawned_after_s"] = round(record.now() - killed, 3)
            fault["workers_after"] = len(now_workers)
            fault["new_worker_took_a_socket_after_s"] = await first_socket_on_a_new_worker(
                base, redis_url, known, record, killed
            )
            break
        await asyncio.sleep(0.05)
    fault.setdefault("respawned_after_s", None)


def sockets_per_worker(redis_url: str, members: list[Member]) -> dict[str, int]:
    """How many members' sockets each worker holds (Reflex's token records in Redis)."""
    held: Counter[str] = Counter()
    for m in members:
        try:
            held[(worker_of(redis_url, m.token) or "none")[-6:]] += 1
        except Exception:
            held["unreadable"] += 1
    return dict(held)


async def watch_sockets(
    redis_url: str, members: list[Member], record: Record, marks: dict[str, float]
) -> None:
    """The members' sockets per worker at a few moments (before the kill, after it)."""
    for name, at in sorted(marks.items(), key=lambda kv: kv[1]):
        await asyncio.sleep(max(0.0, at - record.now()))
        record.sockets[name] = await asyncio.to_thread(sockets_per_worker, redis_url, members)


async def probe(base: str, record: Record, until: float) -> None:
    """GET /ping every 200 ms: does the server answer HTTP at all?"""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        while record.now() < until:
            at = record.now()
            try:
                async with http.get(f"{base}/ping") as resp:
                    ok = resp.status == 200
            except Exception:
                ok = False
            record.probe.append((at, ok))
            await asyncio.sleep(0.2)


# --------------------------------------------------------------------------- the checks


def check_database(database_url: str, members: list[Member]) -> dict[str, Any]:
    """What the database says after the run, against what each member was told."""
    from sqlalchemy import text
    from sqlmodel import Session

    from bartr.db import make_engine
    from bartr.services import ledger

    engine = make_engine(database_url)
    problems: list[str] = []
    out: dict[str, Any] = {}
    with Session(engine) as db:
        problems += [f"ledger: {p}" for p in ledger.check_invariants(db)]
        rows = db.execute(
            text(
                "SELECT s.id, s.learner_id, s.teacher_id, s.state, s.cost, s.starts_at, "
                "coalesce(a.balance, 0) FROM skill_sessions s LEFT JOIN ledger_accounts a "
                "ON a.kind = 'escrow' AND a.session_id = s.id"
            )
        ).all()
        held_by: Counter[int] = Counter()
        states: Counter[str] = Counter()
        for sid, learner, _teacher, state, cost, _starts, escrow in rows:
            states[state] += 1
            held_by[learner] += int(escrow)
            want = cost if state in LIVE_STATES else 0
            if int(escrow) != want:
                problems.append(f"session {sid} ({state}) holds {escrow}, should hold {want}")
        out["sessions_by_state"] = dict(states)
        by_id = {r[0]: r for r in rows}
        acked_requests = acked_accepts = unacked = 0
        known: set[int] = set()
        for m in members:
            uid = m.seat.user_id
            held = ledger.held_balance(db, uid)
            if held != held_by[uid]:
                problems.append(f"member {uid}: held {held} != escrows {held_by[uid]}")
            wallet = ledger.available_balance(db, uid)
            if wallet + held != GIVEN:
                problems.append(f"member {uid}: wallet {wallet} + held {held} != {GIVEN}")
            for sid in m.requests:
                acked_requests += 1
                known.add(sid)
                row = by_id.get(sid)
                if row is None or row[1] != uid or row[3] not in LIVE_STATES:
                    problems.append(f"acknowledged request {sid} of {uid}: {row}")
            for sid, iso in m.accepted.items():
                acked_accepts += 1
                row = by_id.get(sid)
                if row is None or row[3] != "scheduled" or row[5].isoformat()[:16] != iso[:16]:
                    problems.append(f"acknowledged accept {sid} at {iso}: {row}")
        unacked = len(set(by_id) - known)
        out.update(
            requests_acknowledged=acked_requests,
            accepts_acknowledged=acked_accepts,
            requests_stored_without_acknowledgement=unacked,
        )
        # Messages.
        messages = db.execute(
            text("SELECT id, conversation_id, sender_id, body FROM messages")
        ).all()
        by_text: dict[str, list[int]] = defaultdict(list)
        by_conv: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for mid, conv, sender, body in messages:
            by_text[body].append(mid)
            by_conv[conv].append((mid, sender))
        twice = [t for t, ids in by_text.items() if len(ids) > 1]
        problems += [f"message stored {len(by_text[t])} times: {t!r}" for t in twice]
        acked = sent = stored_unacked = 0
        lost: list[int] = []
        for m in members:
            sent += len(m.sent)
            for t in m.sent:
                ids = by_text.get(t, [])
                if t in m.acked:
                    acked += 1
                    if ids != [m.acked[t]]:
                        problems.append(f"acknowledged message {m.acked[t]} {t!r}: in SQL {ids}")
                elif ids:
                    stored_unacked += 1
            theirs = {mid for mid, s in by_conv[m.seat.conversation_id] if s != m.seat.user_id}
            missing = theirs - m.seen
            lost += sorted(missing)
            phantom = m.seen - theirs
            if phantom:
                problems.append(f"member {m.seat.user_id} was shown ids not in SQL: {phantom}")
            if m.shown_twice:
                problems.append(f"member {m.seat.user_id} was shown twice: {m.shown_twice}")
        if lost:
            problems.append(
                f"{len(lost)} stored messages never shown to the recipient: {lost[:10]}"
            )
        out.update(
            messages_sent=sent,
            messages_acknowledged=acked,
            messages_in_sql=len(messages),
            messages_stored_without_acknowledgement=stored_unacked,
            messages_lost=len(lost),
            messages_shown_twice=sum(len(m.shown_twice) for m in members),
        )
    engine.dispose()
    out["problems"] = problems
    return out


# --------------------------------------------------------------------------- figures


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    data = sorted(values)
    return round(data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))], 1)


def phase_of(at: float, end: float, kill: float | None, recovered: float | None) -> str:
    """An action that overlaps [kill, recovered) is "during"; else before or after it."""
    if kill is None or end < kill:
        return "before"
    if recovered is None or at < recovered:
        return "during"
    return "after"


def figures(record: Record, seconds: float, warmup: float, window: float) -> dict[str, Any]:
    kill = record.fault.get("killed_at_s")
    recovered = kill + window if kill is not None else None
    table: list[dict[str, Any]] = []
    groups: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for s in record.samples:
        if s.at >= warmup:
            groups[(s.action, phase_of(s.at, s.at + s.ms / 1000, kill, recovered))].append(s)
    for at, ms in record.deliveries:
        if at >= warmup:
            groups[("chat delivered", phase_of(at, at + ms / 1000, kill, recovered))].append(
                Sample("chat delivered", at, ms, "ok")
            )
    order = ["browse", "profile", "chat open", "chat send", "chat delivered", "request page",
             "book", "session page", "accept"]  # fmt: skip
    for action in order:
        for phase in ("before", "during", "after"):
            items = groups.get((action, phase), [])
            if not items:
                continue
            outcomes = Counter(s.outcome for s in items)
            ok = [s.ms for s in items if s.outcome == "ok"]
            failed = len(items) - outcomes["ok"] - outcomes["refused"]
            table.append(
                {
                    "action": action,
                    "phase": phase,
                    "n": len(items),
                    "ok": outcomes["ok"],
                    "refused": outcomes["refused"],
                    "dropped": outcomes["dropped"],
                    "timeout": outcomes["timeout"],
                    "error": outcomes["error"],
                    "error_rate_pct": round(100 * failed / len(items), 1),
                    "p50_ms": pct(ok, 50),
                    "p95_ms": pct(ok, 95),
                    "p99_ms": pct(ok, 99),
                }
            )
    counted = [s for s in record.samples if s.at >= warmup]
    fails = [at for at, ok in record.probe if not ok]
    reconnect_s = [s for _, s in record.reconnects]
    return {
        "phases_s": {
            "before": [warmup, kill],
            "during": [kill, round(recovered, 1) if recovered else None],
            "after": [round(recovered, 1) if recovered else None, round(seconds, 1)],
        },
        "fault": record.fault,
        "drops": len(record.drops),
        "reconnected": len(record.reconnects),
        "new_tokens": record.new_tokens,
        "reconnect_s": {
            "p50": pct(reconnect_s, 50),
            "p95": pct(reconnect_s, 95),
            "max": pct(reconnect_s, 100),
            "slowest": [round(x, 1) for x in sorted(reconnect_s)[-5:]],
        },
        "never_back": record.never_back,
        "ping": {
            "probes": len(record.probe),
            "failed": len(fails),
            "failed_window_s": [round(min(fails), 2), round(max(fails), 2)] if fails else None,
        },
        "actions": table,
        "sockets_per_worker": record.sockets,
        "refusals_and_errors": dict(record.why.most_common(12)),
        "actions_total": len(counted),
        "actions_per_s": round(len(counted) / max(1.0, seconds - warmup), 1),
    }


def print_report(result: dict[str, Any]) -> None:
    f = result["figures"]
    print(f"\n== load and fault: {result['members']} members, {result['seconds']:.0f} s, "
          f"load average {result['load_average']} ==")  # fmt: skip
    print(f"fault: {json.dumps(f['fault'])}")
    print(f"sockets dropped {f['drops']}, reconnected {f['reconnected']} "
          f"({f['new_tokens']} given a new client token) "
          f"(p50 {f['reconnect_s']['p50']} s, p95 {f['reconnect_s']['p95']} s, "
          f"slowest {f['reconnect_s']['slowest']} s), "
          f"never back {f['never_back']}; /ping failed {f['ping']['failed']} of "
          f"{f['ping']['probes']} {f['ping']['failed_window_s'] or ''}")  # fmt: skip
    print(f"phases (s): {f['phases_s']}; {f['actions_total']} actions, {f['actions_per_s']}/s")
    print(f"sockets per worker: {f['sockets_per_worker']}")
    print(f"refusals and errors: {f['refusals_and_errors']}")
    head = ["action", "phase", "n", "ok", "refused", "dropped", "timeout", "error",
            "error_rate_pct", "p50_ms", "p95_ms", "p99_ms"]  # fmt: skip
    print(" | ".join(head))
    for row in f["actions"]:
        print(" | ".join(str(row[h]) for h in head))
    checks = result["checks"]
    print("\nchecks: " + json.dumps({k: v for k, v in checks.items() if k != "problems"}))
    if checks["problems"]:
        print(f"PROBLEMS ({len(checks['problems'])}):")
        for p in checks["problems"][:40]:
            print("  -", p)
    else:
        print("no problems: ledger invariants hold, every hold is where it should be, "
              "no message lost or duplicated")  # fmt: skip


# --------------------------------------------------------------------------- the run


async def _drive(
    seats: list[Seat],
    server: Server,
    base: str,
    seconds: float,
    think: float,
    kill_at: float,
    redis_url: str,
) -> tuple[Record, list[Member]]:
    record = Record()
    members: list[Member] = []
    for seat in seats:
        members.append(Member(seat, base, record, members))
    record.started = time.perf_counter()
    for i in range(0, len(members), 20):  # 200 handshakes at once measure the handshake
        await asyncio.gather(*(m.reconnect(120) for m in members[i : i + 20]))
    record.drops.clear()
    record.reconnects.clear()
    record.started = time.perf_counter()
    tasks = [asyncio.create_task(m.live(seconds, think)) for m in members]
    side = [asyncio.create_task(probe(base, record, seconds))]
    kill = seconds * kill_at if kill_at > 0 else seconds / 2
    marks = {"before the kill": kill - 1, "kill + 10 s": kill + 10, "end": seconds - 0.5}
    side.append(asyncio.create_task(watch_sockets(redis_url, members, record, marks)))
    if kill_at > 0:
        side.append(
            asyncio.create_task(
                kill_one_worker(
                    server, record, kill, 30, base=base, redis_url=redis_url, members=members
                )
            )
        )
    await asyncio.gather(*tasks, *side)
    for i in range(0, len(members), 20):
        await asyncio.gather(*(m.catch_up() for m in members[i : i + 20]))
    await asyncio.sleep(3)  # anything late would show up as a duplicate now
    await asyncio.gather(*(m.close() for m in members))
    return record, members


def run(
    members: int = 200,
    seconds: float = 90.0,
    *,
    think: float = 40.0,
    warmup: float = 10.0,
    window: float = 15.0,
    kill_at: float = 0.4,
    port: int = 3151,
    redis_url: str = "redis://127.0.0.1:6379/5",
    pg_db: str = "bartr_load",
    workers: int = 2,
) -> dict[str, Any]:
    """One run; the figures and the checks as a dict (see the module's docstring)."""
    import redis

    members -= members % 2
    workdir = Path(tempfile.mkdtemp(prefix="load-fault-"))
    database_url = reset_database(pg_db)
    env = backend_env(database_url, port, redis_url=redis_url, workers=workers)
    env["BARTR_ENVIRONMENT"] = "test"
    migrate(env)
    seats = seed(database_url, members)
    redis.Redis.from_url(redis_url).flushdb()  # this bench's own Redis db
    server = Server(env, port, workdir)
    server.start()
    try:
        load_before = os.getloadavg()
        record, sims = asyncio.run(
            _drive(seats, server, f"http://127.0.0.1:{port}", seconds, think, kill_at, redis_url)
        )
        load_after = os.getloadavg()
    finally:
        server.stop()
    checks = check_database(database_url, sims)
    return {
        "members": members,
        "seconds": seconds,
        "workers": workers,
        "think_s": think,
        "load_average": f"{load_before[0]:.1f} -> {load_after[0]:.1f}",
        "warmup_s": warmup,
        "window_s": window,
        "figures": figures(record, seconds, warmup, window),
        "checks": checks,
        "server_starts": server.starts,
        "logs": str(workdir),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--think", type=float, default=40.0, help="mean s between actions")
    parser.add_argument("--warmup", type=float, default=10.0, help="first s not counted")
    parser.add_argument("--window", type=float, default=15.0, help="s after the kill: during")
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction of the run; 0: none")
    parser.add_argument("--port", type=int, default=3151)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--pg-db", default="bartr_load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(
        args.members,
        args.seconds,
        think=args.think,
        warmup=args.warmup,
        window=args.window,
        kill_at=args.kill_at,
        port=args.port,
        redis_url=args.redis_url,
        pg_db=args.pg_db,
        workers=args.workers,
    )
    print_report(result)
    print(f"\nlogs: {result['logs']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 1 if result["checks"]["problems"] else 0


if __name__ == "__main__":
    os.environ.setdefault("BARTR_ENVIRONMENT", "test")
    sys.exit(main())
