"""Chat delivery latency through the app's real path, against a bare Socket.IO floor.

    python -m bench.chat_delivery --clients 200 --seconds 20 --interval 4
    python -m bench.chat_delivery --modes floor,one --clients 50     # quicker

N clients (an even number, in pairs) each keep one conversation open and send a message to
their partner every `interval` seconds (jittered) for `seconds`. Three set-ups, in one run:

- floor:      a bare python-socketio server (aiohttp) that relays each message to the
              partner's socket: the cost of Socket.IO itself on this machine;
- one:        the app (`reflex run --env prod --backend-only`, one worker, no Redis):
              ChatState.send -> SQL commit -> after-commit signal -> hub ->
              app.modify_state on the partner's tab -> SQL catch-up -> delta on the socket;
- two-redis:  the same app with two Granian workers and REDIS_URL (state in Redis, signals
              through Redis pub/sub): pairs are split across workers by chance.
- typing-one, typing-two-redis: Reflex's own push path with no SQL, as a second floor:
              each client's composer sends `set_draft` (a Reflex event), the hub tells the
              partner "typing", `app.modify_state` on the partner's tab, its delta. What
              the chat costs above this is ours (SQL, marks, lists); below it is Reflex's.

Latency is measured in this process from the send to the first delta in which the partner's
thread holds the message. Lost = stored (the sender's own thread shows it) but never shown
to the partner within the drain time; duplicated = a message shown twice in one thread;
refused = not stored (the per-member rate limit). Prints a table and the p95 ratio to the
floor; writes JSON with --json. The database is a throw-away SQLite file (or PostgreSQL with
--pg-url).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import socketio

from bench.reflex_client import (
    ROOT,
    Backend,
    Member,
    Tab,
    backend_env,
    free_port,
    migrate,
    seed_pairs,
)


@dataclass
class Result:
    mode: str
    clients: int
    sent: int = 0
    stored: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    refused: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, round(q / 100 * (len(data) - 1)))]

    def row(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "clients": self.clients,
            "sent": self.sent,
            "stored": self.stored,
            "delivered": self.delivered,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "refused": self.refused,
            "msgs_per_s": round(self.stored / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else 0,
        }


# --------------------------------------------------------------------------- the floor


def serve_floor(port: int) -> None:
    """A bare relay: each client joins its own room; a message goes to the partner's room."""
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any]) -> None:
        await sio.enter_room(sid, f"m{int(auth['member'])}")

    @sio.event
    async def msg(sid: str, data: dict[str, Any]) -> None:
        await sio.emit("msg", data, room=f"m{int(data['to'])}")

    web.run_app(app, host="127.0.0.1", port=port, print=None)


async def run_floor(clients: int, seconds: float, interval: float, port: int) -> Result:
    result = Result("floor (bare python-socketio relay)", clients)
    sent_at: dict[str, float] = {}
    seen: dict[int, set[str]] = {i: set() for i in range(clients)}
    socks: list[socketio.AsyncClient] = []

    def handler(i: int):  # type: ignore[no-untyped-def]
        async def on_msg(data: dict[str, Any]) -> None:
            now = time.perf_counter()
            uid = data["uid"]
            if uid in seen[i]:
                result.duplicated += 1
                return
            seen[i].add(uid)
            result.latencies_ms.append((now - sent_at[uid]) * 1000)

        return on_msg

    for i in range(clients):
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("msg", handler(i))
        socks.append(sio)
    await _gather_batches(
        [
            s.connect(
                f"http://127.0.0.1:{port}",
                transports=["websocket"],
                auth={"member": i},
                wait_timeout=30,
            )
            for i, s in enumerate(socks)
        ]
    )

    async def talk(i: int) -> None:
        partner = i + 1 if i % 2 == 0 else i - 1
        await asyncio.sleep(random.uniform(0, interval))
        seq, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            uid = f"{i}-{seq}"
            seq += 1
            sent_at[uid] = time.perf_counter()
            result.sent += 1
            await socks[i].emit("msg", {"to": partner, "uid": uid})
            await asyncio.sleep(interval * random.uniform(0.8, 1.2))

    start = time.perf_counter()
    await asyncio.gather(*(talk(i) for i in range(clients)))
    result.seconds = time.perf_counter() - start
    await asyncio.sleep(3)
    result.stored = result.sent
    result.delivered = sum(len(s) for s in seen.values())
    result.lost = result.sent - result.delivered
    await asyncio.gather(*(s.disconnect() for s in socks))
    return result


# --------------------------------------------------------------------------- the app


async def run_app(
    mode: str, tabs: list[Tab], seconds: float, interval: float, drain: float
) -> Result:
    result = Result(mode, len(tabs))
    await _gather_batches([t.connect() for t in tabs])
    await asyncio.wait_for(asyncio.gather(*(t.ready.wait() for t in tabs)), timeout=120)
    sent_at: dict[str, float] = {}

    async def talk(i: int) -> None:
        tab = tabs[i]
        await asyncio.sleep(random.uniform(0, interval))
        seq, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            text = f"bench {i}-{seq}"
            seq += 1
            sent_at[text] = time.perf_counter()
            result.sent += 1
            await tab.send(text)
            await asyncio.sleep(interval * random.uniform(0.8, 1.2))

    start = time.perf_counter()
    await asyncio.gather(*(talk(i) for i in range(len(tabs))))
    result.seconds = time.perf_counter() - start

    def stored() -> set[str]:
        return {text for t in tabs for text in t.mine.values()}

    def arrived() -> set[str]:
        return {a.text for t in tabs for a in t.arrivals.values()}

    deadline = time.perf_counter() + drain
    while time.perf_counter() < deadline and not stored() <= arrived():
        await asyncio.sleep(0.2)
    kept, got = stored(), arrived()
    result.stored = len(kept)
    result.refused = result.sent - len(kept)
    result.delivered = len(kept & got)
    result.lost = len(kept - got)
    result.duplicated = sum(t.duplicates for t in tabs)
    for t in tabs:
        for a in t.arrivals.values():
            if a.text in sent_at:
                result.latencies_ms.append((a.at - sent_at[a.text]) * 1000)
    await asyncio.gather(*(t.disconnect() for t in tabs), return_exceptions=True)
    return result


async def run_typing(
    mode: str, tabs: list[Tab], seconds: float, interval: float, drain: float
) -> Result:
    """Reflex's own push path, without SQL: the sender's `set_draft` (a Reflex event) ->
    the hub's "typing" signal -> `modify_state` on the partner's tab -> its delta. The same
    clients, rate and fan-out as the chat, minus persistence: the floor of this design."""
    result = Result(mode, len(tabs))
    await _gather_batches([t.connect() for t in tabs])
    await asyncio.wait_for(asyncio.gather(*(t.ready.wait() for t in tabs)), timeout=120)
    await asyncio.sleep(1.0)
    sent: dict[int, list[float]] = {i: [] for i in range(len(tabs))}
    for t in tabs:
        t.typing_at.clear()

    async def talk(i: int) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        seq, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            sent[i].append(time.perf_counter())
            result.sent += 1
            await tabs[i].type_text(f"typing {i}-{seq}")
            seq += 1
            # The partner shows "typing…" 5 s; the next one must start after it faded.
            await asyncio.sleep(max(6.0, interval * random.uniform(0.8, 1.2)))

    start = time.perf_counter()
    await asyncio.gather(*(talk(i) for i in range(len(tabs))))
    result.seconds = time.perf_counter() - start
    await asyncio.sleep(min(drain, 8.0))
    for i, tab in enumerate(tabs):
        got = tabs[tab.member.partner_index].typing_at
        for t0, t1 in zip(sent[i], got, strict=False):
            result.latencies_ms.append((t1 - t0) * 1000)
        result.delivered += min(len(sent[i]), len(got))
        result.duplicated += max(0, len(got) - len(sent[i]))
    result.stored = result.sent
    result.lost = result.sent - result.delivered
    await asyncio.gather(*(t.disconnect() for t in tabs), return_exceptions=True)
    return result


async def _gather_batches(coros: list[Any], size: int = 20) -> None:
    """Connect in batches: 200 simultaneous handshakes measure the handshake, not chat."""
    for i in range(0, len(coros), size):
        await asyncio.gather(*coros[i : i + size])


def app_mode(
    name: str,
    *,
    clients: int,
    seconds: float,
    interval: float,
    workers: int,
    redis_url: str | None,
    workdir: Path,
    database_url: str | None,
    typing: bool = False,
) -> Result:
    port = free_port()
    db_url = database_url or f"sqlite:///{workdir / (name + '.db')}"
    env = backend_env(db_url, port, redis_url=redis_url, workers=workers)
    migrate(env)
    members: list[Member] = seed_pairs(db_url, clients)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # this bench's own Redis db
    with Backend(env, port, workdir / f"{name}.log"):
        base = f"http://127.0.0.1:{port}"
        run = run_typing if typing else run_app
        return asyncio.run(
            run(name, [Tab(base, m) for m in members], seconds, interval, drain=15.0)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=4.0, help="seconds between sends")
    parser.add_argument("--modes", default="floor,one,two-redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL URL instead of SQLite")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--serve-floor", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_floor:
        serve_floor(args.serve_floor)
        return 0
    clients = args.clients - args.clients % 2
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="chat-bench-"))
    for mode in args.modes.split(","):
        print(f"==> {mode}: {clients} clients, {args.seconds:.0f}s, a message every "
              f"{args.interval:g}s each", flush=True)  # fmt: skip
        if mode == "floor":
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "bench.chat_delivery", "--serve-floor", str(port)],
                cwd=ROOT,
            )
            try:
                time.sleep(1.5)
                results.append(asyncio.run(run_floor(clients, args.seconds, args.interval, port)))
            finally:
                server.terminate()
                server.wait(timeout=10)
        elif mode in ("one", "two-redis", "typing-one", "typing-two-redis"):
            two, typing = mode.endswith("two-redis"), mode.startswith("typing")
            name = "app, 2 workers + Redis" if two else "app, 1 worker"
            results.append(
                app_mode(
                    f"Reflex push floor (typing), {name[5:]}" if typing else name,
                    clients=clients,
                    seconds=args.seconds,
                    interval=args.interval,
                    workers=2 if two else 1,
                    redis_url=args.redis_url if two else None,
                    workdir=workdir,
                    database_url=args.pg_url,
                    typing=typing,
                )
            )
        else:
            parser.error(f"unknown mode {mode!r}")
    rows = [r.row() for r in results]
    floor = next((r for r in rows if r["mode"].startswith("floor")), None)
    print()
    head = ("mode", "clients", "stored", "msgs_per_s", "p50_ms", "p95_ms", "p99_ms", "lost",
            "duplicated", "refused")  # fmt: skip
    print(" | ".join(head) + " | p95 / floor")
    for r in rows:
        ratio = f"{r['p95_ms'] / floor['p95_ms']:.1f}x" if floor and floor["p95_ms"] else "-"
        r["p95_ratio_to_floor"] = ratio
        print(" | ".join(str(r[h]) for h in head) + f" | {ratio}")
    print(f"\nlogs and databases: {workdir}")
    if args.json:
        args.json.write_text(json.dumps({"results": rows, "at": time.time()}, indent=2))
    bad = any(r["lost"] or r["duplicated"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    os.environ.setdefault("BARTR_ENVIRONMENT", "test")
    sys.exit(main())
