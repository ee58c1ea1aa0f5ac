"""A Socket.IO client that speaks Reflex 0.10's protocol, as a browser tab on /messages/<id>.

Used by `bench/chat_delivery.py` and by the realtime tests: it connects with a client token,
hydrates with the member's login cookie (the hydrate event rides in the CONNECT packet, as
the browser sends it), lets the page's on_load run, sends messages through `ChatState.send`
and records every message id that arrives in the thread (`items` and `fresh` deltas), so a test can
say what arrived, when, and whether anything was shown twice.

Also here: seeding members with logins and conversations, and starting the backend.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

ROOT = Path(__file__).resolve().parent.parent
ROOT_STATE = "reflex___state____state"
AUTH_STATE = f"{ROOT_STATE}.bartr___state___auth____auth_state"
LIVE_STATE = f"{AUTH_STATE}.bartr___state___live____live_state"
CHAT_STATE = f"{LIVE_STATE}.bartr___state___chat____chat_state"
SESSION_COOKIE = "bartr_session"


@dataclass
class Member:
    user_id: int
    login: str  # the session token (the HttpOnly bartr_session cookie's value)
    conversation_id: int
    partner_index: int


@dataclass
class Arrival:
    message_id: int
    text: str
    at: float


@dataclass
class Tab:
    """One browser tab of a member, on the thread of its conversation."""

    base_url: str
    member: Member
    client_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    arrivals: dict[int, Arrival] = field(default_factory=dict)  # theirs, by id, first seen
    mine: dict[int, str] = field(default_factory=dict)  # my messages the server stored
    duplicates: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    unread_badge: int = -1
    sio: Any = None
    typing_at: list[float] = field(default_factory=list)  # "typing…" shown here, when
    _items: list[dict[str, Any]] = field(default_factory=list)
    _fresh: list[dict[str, Any]] = field(default_factory=list)

    def _router(self) -> dict[str, Any]:
        cid = str(self.member.conversation_id)
        path = f"/messages/{cid}"
        return {"pathname": path, "asPath": path, "query": {"conversation_id": cid}}

    async def connect(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace="/_event")
        hydrate = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"vars": {}},
            "router_data": self._router(),
        }
        await self.sio.connect(
            f"{self.base_url}?token={self.client_token}",
            namespaces=["/_event"],
            transports=["websocket"],
            socketio_path="/_event",
            auth={"event": hydrate},
            # The login travels as the browser sends it: the HttpOnly session cookie.
            headers={"Cookie": f"{SESSION_COOKIE}={self.member.login}"},
            wait_timeout=30,
        )

    async def disconnect(self) -> None:
        if self.sio is not None:
            await self.sio.disconnect()

    async def send(self, text: str) -> None:
        await self.sio.emit(
            "event",
            {
                "name": f"{CHAT_STATE}.send",
                "payload": {"form_data": {"body": text}},
                "router_data": self._router(),
            },
            namespace="/_event",
        )

    async def type_text(self, text: str) -> None:
        """The composer's on_change: tells the partner "typing…" (no SQL on either side)."""
        await self.sio.emit(
            "event",
            {
                "name": f"{CHAT_STATE}.set_draft",
                "payload": {"value": text},
                "router_data": self._router(),
            },
            namespace="/_event",
        )

    async def _on_event(self, data: Any) -> None:
        now = time.perf_counter()
        delta = (data or {}).get("delta") or {}
        live = delta.get(LIVE_STATE) or {}
        if "unread_messages_rx_state_" in live:
            self.unread_badge = int(live["unread_messages_rx_state_"])
        chat = delta.get(CHAT_STATE) or {}
        if chat.get("conversation_id_rx_state_") == self.member.conversation_id:
            self.ready.set()
        if chat.get("typing_rx_state_") is True:
            self.typing_at.append(now)
        # The thread is `items` (loaded pages) then `fresh` (arrivals): a delta carries only
        # the list that changed, so keep a mirror of both and check what is on screen.
        changed = False
        for var, attr in (("items_rx_state_", "_items"), ("fresh_rx_state_", "_fresh")):
            if var in chat:
                setattr(self, attr, list(chat[var] or []))
                changed = True
        if not changed:
            return
        shown = self._items + self._fresh
        ids = [int(b["id"]) for b in shown]
        if len(ids) != len(set(ids)):
            self.duplicates += len(ids) - len(set(ids))
        for b in shown:
            text = "".join(p.get("text", "") for p in b.get("parts", []))
            if b.get("mine"):
                self.mine.setdefault(int(b["id"]), text)
            elif int(b["id"]) not in self.arrivals:
                self.arrivals[int(b["id"])] = Arrival(int(b["id"]), text, now)


# --------------------------------------------------------------------------- seeding


def seed_pairs(database_url: str, members: int, *, tag: str = "") -> list[Member]:
    """`members` members (an even number) in pairs, each pair with a conversation."""
    os.environ["DATABASE_URL"] = database_url
    import bartr.models  # noqa: F401
    from bartr.db import make_engine, set_engine, unit_of_work
    from bartr.models.accounts import User
    from bartr.services import accounts, messages

    engine = make_engine(database_url)
    set_engine(engine)
    tag = tag or uuid.uuid4().hex[:6]
    out: list[Member] = []
    with unit_of_work() as db:
        users: list[User] = []
        logins: list[str] = []
        for i in range(members):
            user = User(
                email=f"chat-{tag}-{i}@example.com",
                password_hash="!",
                display_name=f"Chatter {i}",
                handle=f"chatter-{tag}-{i}",
                onboarded_at=_now(),
                referral_code=f"bench{tag}{i}",
            )
            db.add(user)
            users.append(user)
        db.flush()
        for user in users:
            logins.append(accounts.open_session_for(db, user).token)
        for i in range(0, members - 1, 2):
            a, b = users[i], users[i + 1]
            conversation = messages.do_open_conversation(db, actor=a, other_id=b.id or 0)
            out.append(Member(a.id or 0, logins[i], conversation.id or 0, i + 1))
            out.append(Member(b.id or 0, logins[i + 1], conversation.id or 0, i))
    set_engine(None)
    engine.dispose()
    return out


def _now() -> Any:
    from bartr.models.base import utcnow

    return utcnow()


# --------------------------------------------------------------------------- the backend


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "bartr.cli", "migrate"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def backend_env(
    database_url: str, port: int, *, redis_url: str | None, workers: int
) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BARTR_ENVIRONMENT": "test",
        "BARTR_BCRYPT_ROUNDS": "4",
        "BARTR_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "BARTR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "REFLEX_API_URL": f"http://127.0.0.1:{port}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "GRANIAN_WORKERS": str(workers),
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
    }
    env.pop("REDIS_URL", None)
    env.pop("REFLEX_REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Backend:
    """`reflex run --env prod --backend-only` on a port, stopped on exit."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Backend:
        reflex = str(Path(sys.executable).parent / "reflex")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--backend-only", "--backend-port", str(self.port),
             "--loglevel", "warning"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"backend exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=2):
                    return self
            except Exception:
                time.sleep(0.5)
        raise RuntimeError(f"backend did not start; see {self.log_path}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


def worker_of(redis_url: str, client_token: str) -> str | None:
    """Which backend worker holds this tab's socket (Reflex's token record in Redis)."""
    import pickle

    import redis

    raw = redis.Redis.from_url(redis_url).get(f"token_manager_socket_record_{client_token}")
    if raw is None:
        return None
    return str(pickle.loads(raw).instance_id)
