"""A no-op Reflex event's round trip under concurrent clients, against a bare
python-socketio echo.

    .venv/bin/python -m bench.event_roundtrip --clients 50 --seconds 10

N clients speak Reflex 0.10's Socket.IO protocol (as bench/reflex_client.py does: a
client token, the hydrate event in the CONNECT packet) to the app
(`reflex run --env prod --backend-only`, one worker, a throw-away SQLite file); each, in a
closed loop for `seconds`, sends `MyCoursesState.set_f_title` (a setter of a text field:
no database, one var changed, so the answer is one small delta, like a keystroke in a
form) and waits for the delta that carries the new value. That is the framework's own cost per event:
the socket, the state's lock and load (root, AuthState, the page's state), the handler,
the delta, the emit. The floor is a bare python-socketio server (aiohttp) answering each
message with an echo, driven by the same clients in the same loop. Prints p50/p95/p99 and
events/s for both and the p95 ratio. `measure()` returns them for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import socketio

from bench.reflex_client import AUTH_STATE, ROOT, ROOT_STATE, Backend, backend_env, free_port
from bench.reflex_client import migrate as migrate_db

STATE = f"{AUTH_STATE}.bartr___state___my_courses____my_courses_state"
EVENT = f"{STATE}.set_f_title"
# The home page: public, so an anonymous tab is not sent to the login page.
ROUTER = {"pathname": "/", "asPath": "/", "query": {}}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, latencies: list[float], seconds: float, errors: int) -> dict[str, Any]:
    return {
        "mode": name,
        "events": len(latencies),
        "events_per_s": round(len(latencies) / seconds, 1) if seconds else 0,
        "p50_ms": round(pct(latencies, 0.5), 2),
        "p95_ms": round(pct(latencies, 0.95), 2),
        "p99_ms": round(pct(latencies, 0.99), 2),
        "errors": errors,
    }


async def _connect_all(coros: list[Any], size: int = 10) -> None:
    for i in range(0, len(coros), size):
        await asyncio.gather(*coros[i : i + size])


# --------------------------------------------------------------------------- the floor


def serve_echo(port: int) -> None:
    """A bare python-socketio server answering each `event` with the same payload."""
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)

    @sio.on("event")  # type: ignore[misc]
    async def echo(sid: str, data: Any) -> None:
        await sio.emit("event", data, to=sid)

    web.run_app(app, host="127.0.0.1", port=port, print=None)


async def _run_echo(port: int, clients: int, seconds: float) -> dict[str, Any]:
    socks = [socketio.AsyncClient(reconnection=False) for _ in range(clients)]
    answers: list[asyncio.Queue[Any]] = [asyncio.Queue() for _ in range(clients)]
    for sio, answer in zip(socks, answers, strict=True):
        sio.on("event", answer.put)
    await _connect_all(
        [s.connect(f"http://127.0.0.1:{port}", transports=["websocket"], wait_timeout=30)
         for s in socks]
    )  # fmt: skip
    latencies: list[float] = []
    errors = 0

    async def loop(sio: socketio.AsyncClient, answer: asyncio.Queue[Any], deadline: float) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            payload = {"name": EVENT, "payload": {"value": f"title {i}"}, "router_data": ROUTER}
            await sio.emit("event", payload)
            try:
                await asyncio.wait_for(answer.get(), timeout=10)
                latencies.append((time.perf_counter() - t0) * 1000)
            except TimeoutError:
                errors += 1
            i += 1

    begin = time.perf_counter()
    await asyncio.gather(
        *(loop(s, q, begin + seconds) for s, q in zip(socks, answers, strict=True))
    )
    elapsed = time.perf_counter() - begin
    await asyncio.gather(*(s.disconnect() for s in socks), return_exceptions=True)
    return summary("bare python-socketio echo", latencies, elapsed, errors)


def measure_floor(clients: int, seconds: float) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.event_roundtrip", "--serve-echo", str(port)], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        return asyncio.run(_run_echo(port, clients, seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)


# --------------------------------------------------------------------------- the app


class _Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.finals: asyncio.Queue[float] = asyncio.Queue()
        self.hydrated = asyncio.Event()
        self.sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        delta = (data or {}).get("delta") or {}
        if (delta.get(ROOT_STATE) or {}).get("is_hydrated_rx_state_"):
            self.hydrated.set()
        title = (delta.get(STATE) or {}).get("f_title_rx_state_")
        if title is not None:
            self.finals.put_nowait(time.perf_counter())

    async def connect(self) -> None:
        hydrate = {
            "name": f"{ROOT_STATE}.hydrate_and_load",
            "payload": {"vars": {}},
            "router_data": ROUTER,
        }
        await self.sio.connect(
            f"{self.base}?token={self.token}",
            namespaces=["/_event"],
            transports=["websocket"],
            socketio_path="/_event",
            auth={"event": hydrate},
            wait_timeout=30,
        )
        await asyncio.wait_for(self.hydrated.wait(), timeout=60)
        # Let the hydrate's trailing frames pass before timing anything.
        await asyncio.sleep(0.5)
        while not self.finals.empty():
            self.finals.get_nowait()

    async def send(self, value: str) -> None:
        await self.sio.emit(
            "event",
            {"name": EVENT, "payload": {"value": value}, "router_data": ROUTER},
            namespace="/_event",
        )


async def _run_app(base: str, clients: int, seconds: float) -> dict[str, Any]:
    tabs = [_Client(base) for _ in range(clients)]
    await _connect_all([t.connect() for t in tabs])
    latencies: list[float] = []
    errors = 0

    async def loop(tab: _Client, deadline: float) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            await tab.send(f"title {i}")
            try:
                done = await asyncio.wait_for(tab.finals.get(), timeout=10)
                latencies.append((done - t0) * 1000)
            except TimeoutError:
                errors += 1
            i += 1

    begin = time.perf_counter()
    await asyncio.gather(*(loop(t, begin + seconds) for t in tabs))
    elapsed = time.perf_counter() - begin
    await asyncio.gather(*(t.sio.disconnect() for t in tabs), return_exceptions=True)
    return summary("app, no-op event (1 worker)", latencies, elapsed, errors)


def measure_app(clients: int, seconds: float) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bartr-roundtrip-"))
    port = free_port()
    db_url = f"sqlite:///{workdir / 'roundtrip.db'}"
    env = backend_env(db_url, port, redis_url=None, workers=1)
    migrate_db(env)
    with Backend(env, port, workdir / "app.log"):
        return asyncio.run(_run_app(f"http://127.0.0.1:{port}", clients, seconds))


def measure(clients: int = 50, seconds: float = 10.0) -> dict[str, Any]:
    """The floor, then the app, with the same clients; the p95 ratio."""
    floor = measure_floor(clients, seconds)
    app = measure_app(clients, seconds)
    ratio = round(app["p95_ms"] / floor["p95_ms"], 1) if floor["p95_ms"] else None
    return {"clients": clients, "floor": floor, "app": app, "p95_ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--serve-echo", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_echo:
        serve_echo(args.serve_echo)
        return 0
    result = measure(args.clients, args.seconds)
    for row in (result["floor"], result["app"]):
        print(
            f"{row['mode']:<30} {row['events_per_s']:>8}/s  p50 {row['p50_ms']:>7} ms  "
            f"p95 {row['p95_ms']:>7} ms  p99 {row['p99_ms']:>7} ms  errors {row['errors']}"
        )
    print(f"p95 ratio app / floor: {result['p95_ratio']}x ({args.clients} clients)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 1 if result["app"]["errors"] or result["floor"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
