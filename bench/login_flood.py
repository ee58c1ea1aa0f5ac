"""Login flood: do wrong passwords slow everyone else down? (issue 19.2)

Eight clients post wrong passwords to /api/auth/login as fast as they can (unknown emails,
so the per-email lock never saves the server; every attempt costs a bcrypt). Meanwhile one
client times, one after another, `GET /ping` (the event loop's own answer) and another
member's ordinary write: `POST /api/auth/logout` with one of their live sessions (an HTTP
route, a database write transaction). p50 / p95 / max are printed for each, with and
without the flood. Target: p95 under 50 ms on one worker with the flood on.

Run against a production build on one worker, bcrypt at its production cost, the
per-address limit lifted (otherwise the flood is refused cheaply after 30 attempts, which
is the point of the limit but not what this measures):

    BARTR_BCRYPT_ROUNDS=12 BARTR_LOGIN_ATTEMPTS_PER_ADDRESS=1000000 \\
        DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python -m bartr.cli migrate
    BARTR_BCRYPT_ROUNDS=12 BARTR_LOGIN_ATTEMPTS_PER_ADDRESS=1000000 \\
        DATABASE_URL=sqlite:////tmp/bench.db REFLEX_API_URL=http://localhost:3142 \\
        BARTR_ALLOWED_ORIGINS=http://localhost:3142 BARTR_PUBLIC_URL=http://localhost:3142 \\
        .venv/bin/reflex run --env prod --frontend-port 3142 --backend-port 3142
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python -m bench.login_flood \\
        --url http://localhost:3142 --seconds 20

The bench creates its member and their sessions directly in the same database.
Loopback only; every loop stops by itself after --seconds.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit


def _conn(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    return http.client.HTTPConnection(host, parts.port or 80, timeout=30)


def _request(
    url: str, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> int:
    conn = _conn(url)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _member_sessions(count: int) -> list[str]:
    from bartr.db import unit_of_work
    from bartr.services import accounts

    with unit_of_work() as db:
        user = accounts.do_sign_up(
            db,
            email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
            password="a quiet walk in the park",
            display_name="Bench Member",
            password_hash="$2b$04$" + "x" * 53,  # never logs in by password
        )
        return [accounts.open_session_for(db, user).token for _ in range(count)]


def _flood(url: str, stop: threading.Event, counter: list[int]) -> None:
    while not stop.is_set():
        body = urlencode(
            {"email": f"nobody-{uuid.uuid4().hex[:6]}@example.com", "password": "wrong password"}
        )
        _request(
            url,
            "POST",
            "/api/auth/login",
            body,
            {"content-type": "application/x-www-form-urlencoded"},
        )
        counter[0] += 1


def _time(url: str, seconds: float, tokens: list[str]) -> tuple[list[float], list[float]]:
    pings: list[float] = []
    actions: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and tokens:
        start = time.perf_counter()
        _request(url, "GET", "/ping")
        pings.append((time.perf_counter() - start) * 1000)
        token = tokens.pop()
        start = time.perf_counter()
        status = _request(url, "POST", "/api/auth/logout", "", {"cookie": f"bartr_session={token}"})
        actions.append((time.perf_counter() - start) * 1000)
        assert status == 303, status
        time.sleep(0.05)
    return pings, actions


def _summary(name: str, values: list[float]) -> str:
    if len(values) < 2:
        return f"{name}: too few samples"
    p95 = statistics.quantiles(values, n=20)[18]
    return (
        f"{name:<28} n={len(values):>4}  p50={statistics.median(values):7.1f} ms"
        f"  p95={p95:7.1f} ms  max={max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:3142")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    import os

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    tokens = _member_sessions(2000)
    quiet = _time(args.url, min(5.0, args.seconds), tokens)
    print("without the flood")
    print("  " + _summary("GET /ping", quiet[0]))
    print("  " + _summary("member's logout (a write)", quiet[1]))

    stop = threading.Event()
    counter = [0]
    flooders = [
        threading.Thread(target=_flood, args=(args.url, stop, counter), daemon=True)
        for _ in range(args.clients)
    ]
    for thread in flooders:
        thread.start()
    time.sleep(1.0)  # let the flood build up
    started = counter[0]
    t0 = time.monotonic()
    loud = _time(args.url, args.seconds, tokens)
    elapsed = time.monotonic() - t0
    stop.set()
    for thread in flooders:
        thread.join(timeout=30)
    print(f"with {args.clients} clients flooding wrong passwords (load {os.getloadavg()[0]:.1f})")
    print(f"  wrong-password logins served: {(counter[0] - started) / elapsed:.1f}/s")
    print("  " + _summary("GET /ping", loud[0]))
    print("  " + _summary("member's logout (a write)", loud[1]))


if __name__ == "__main__":
    main()
