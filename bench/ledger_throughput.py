"""Ledger write throughput under concurrent writers.

    python -m bench.ledger_throughput --db sqlite --writers 8 --seconds 10
    python -m bench.ledger_throughput --db postgresql --writers 8 --seconds 10

Seeds N member wallets in a throw-away database (a temporary SQLite file, or a fresh
PostgreSQL database created next to --pg-url and dropped afterwards), then runs W threads
that each repeatedly open a unit of work and transfer a random amount between two random
wallets (`ledger.transfer`: lock both rows in id order, check, write two entries); then
the same load through a plain-SQL transfer of the same shape straight on the driver
(`bench.ledger_reference`), the floor, and prints the ratio.
With --hot, every transfer spends from the same wallet (worst case for row locks).

Reports transfers/s, p50/p95/p99 latency, refusals (InsufficientCredits) and errors,
then checks the books (`ledger.check_invariants` and the seeded total) and exits
non-zero on any problem or unexpected error.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import bartr.models  # noqa: F401  (registers every table)
from bartr.db import make_engine, read_session, set_engine, unit_of_work
from bartr.models.accounts import User
from bartr.services import ledger
from bartr.services.credits import credits
from bartr.services.errors import InsufficientCredits
from bench import ledger_reference

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _seed(engine: Engine, wallets: int, per_wallet: int, *, hot: int = 0) -> list[int]:
    with Session(engine, expire_on_commit=False) as db:
        users = [
            User(
                email=f"bench{i}@example.com",
                password_hash="!",
                display_name=f"Bench {i}",
                handle=f"bench-{i}",
                referral_code=f"bench{i}",
            )
            for i in range(wallets)
        ]
        db.add_all(users)
        db.flush()
        ids = [u.id for u in users if u.id is not None]
        for n, uid in enumerate(ids):
            ledger.grant(
                db,
                user_id=uid,
                amount=hot if (hot and n == 0) else per_wallet,
                system="adjustments",
                kind="adjustment",
                key=f"bench:seed:{uid}",
                memo="benchmark seed",
            )
        db.commit()
    return ids


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def _measure(
    engine: Engine,
    ids: list[int],
    *,
    path: str,
    writers: int,
    seconds: float,
    hot: bool,
    seed: int,
) -> dict[str, object]:
    """Run `writers` threads transferring through `path` ("app" or "sql") for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(writers)]
    outcomes: list[Counter[str]] = [Counter() for _ in range(writers)]
    errors: list[str] = []
    barrier = threading.Barrier(writers + 1)
    deadline = 0.0

    def app_transfer(n: int) -> Callable[[int, int, int, str], None]:
        def transfer(source: int, target: int, amount: int, key: str) -> None:
            with unit_of_work() as db:
                ledger.transfer(db, from_user_id=source, to_user_id=target, amount=amount, key=key)

        return transfer

    def writer(n: int) -> None:
        rng = random.Random(seed + n)
        if path == "app":
            transfer, close = app_transfer(n), (lambda: None)
        else:
            transfer, close = ledger_reference.connect(engine)
        barrier.wait()
        i = 0
        try:
            while time.perf_counter() < deadline:
                source = ids[0] if hot else rng.choice(ids)
                target = rng.choice(ids)
                while target == source:
                    target = rng.choice(ids)
                amount = rng.randint(1, 120)
                started = time.perf_counter()
                try:
                    transfer(source, target, amount, f"bench:{path}:{seed}:{n}:{i}")
                    outcomes[n]["ok"] += 1
                except InsufficientCredits:
                    outcomes[n]["insufficient"] += 1
                except Exception as exc:
                    outcomes[n]["error"] += 1
                    if len(errors) < 5:
                        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                latencies[n].append(time.perf_counter() - started)
                i += 1
        finally:
            close()

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(writers)]
    for t in threads:
        t.start()
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    return _summary(path, elapsed, sum(outcomes, Counter()), latencies, errors)


def _summary(
    path: str,
    elapsed: float,
    total: Counter[str],
    latencies: list[list[float]],
    errors: list[str],
) -> dict[str, object]:
    all_latencies = sorted(x for per in latencies for x in per)
    return {
        "path": path,
        "_latencies": latencies,
        "_outcomes": total,
        "seconds": round(elapsed, 2),
        "transfers": total["ok"],
        "transfers_per_s": round(total["ok"] / elapsed, 1),
        "attempts_per_s": round(len(all_latencies) / elapsed, 1),
        "p50_ms": round(_percentile(all_latencies, 0.50) * 1000, 2),
        "p95_ms": round(_percentile(all_latencies, 0.95) * 1000, 2),
        "p99_ms": round(_percentile(all_latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(all_latencies) * 1000, 2) if all_latencies else 0,
        "insufficient_credits": total["insufficient"],
        "errors": total["error"],
        "error_samples": errors,
    }


ROUNDS = 4


def _combine(parts: list[dict[str, object]]) -> dict[str, object]:
    """One path's figures over its rounds."""
    outcomes: Counter[str] = sum((p["_outcomes"] for p in parts), Counter())  # type: ignore[misc]
    latencies = [lat for p in parts for lat in p["_latencies"]]  # type: ignore[attr-defined]
    errors = [e for p in parts for e in p["error_samples"]][:5]  # type: ignore[attr-defined]
    elapsed = sum(float(p["seconds"]) for p in parts)  # type: ignore[arg-type]
    result = _summary(str(parts[0]["path"]), elapsed, outcomes, latencies, errors)
    result.pop("_latencies")
    result.pop("_outcomes")
    return result


def run(
    engine: Engine, *, writers: int, seconds: float, wallets: int, hot: bool, seed: int
) -> dict[str, object]:
    """Seed once, measure the app's path and the plain-SQL floor on the same data."""
    # Rich enough that refusals stay rare: a refusal is cheaper than a transfer, and the
    # second phase (on a more uneven spread of credits) would otherwise look faster.
    per_wallet = credits(1000)
    # With --hot the first wallet is rich enough never to run dry: every spend locks it.
    hot_balance = credits(1_000_000) if hot else 0
    ids = _seed(engine, wallets, per_wallet, hot=hot_balance)
    set_engine(engine)
    gc.collect()
    gc.freeze()  # as the app does after start-up: long-lived objects leave the collector
    # Alternate short rounds of each path, so a change in the machine's load during the
    # run hits both alike; each path's figures are over all its rounds.
    rounds: dict[str, list[dict[str, object]]] = {"app": [], "sql": []}
    for r in range(ROUNDS):
        for path in ("app", "sql") if r % 2 == 0 else ("sql", "app"):
            rounds[path].append(
                _measure(
                    engine,
                    ids,
                    path=path,
                    writers=writers,
                    seconds=seconds / ROUNDS,
                    hot=hot,
                    seed=seed + 1000 * r,
                )
            )
    gc.unfreeze()
    app, sql = _combine(rounds["app"]), _combine(rounds["sql"])
    with read_session() as db:
        problems = ledger.check_invariants(db)
        seeded_total = sum(ledger.available_balance(db, uid) for uid in ids)
    expected = per_wallet * len(ids) + (hot_balance - per_wallet if hot else 0)
    if seeded_total != expected:
        problems.append(f"wallets hold {seeded_total}, seeded {expected}")
    set_engine(None)
    sql_rate = float(sql["transfers_per_s"]) or 1.0  # type: ignore[arg-type]
    return {
        "db": engine.dialect.name,
        "writers": writers,
        "wallets": wallets,
        "hot": hot,
        "app": app,
        "sql": sql,
        "ratio": round(float(app["transfers_per_s"]) / sql_rate, 2),  # type: ignore[arg-type]
        "errors": int(app["errors"]) + int(sql["errors"]),  # type: ignore[call-overload]
        "problems": problems,
    }


def measure(
    db: str,
    *,
    writers: int = 8,
    seconds: float = 10.0,
    wallets: int = 200,
    hot: bool = False,
    pg_url: str = DEFAULT_PG,
    seed: int = 1,
) -> dict[str, object]:
    """`run` on a throw-away database: a temporary SQLite file, or a PostgreSQL database
    created next to `pg_url` and dropped afterwards."""
    admin: Engine | None = None
    name = ""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if db == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="bartr-bench-")
        engine = make_engine(f"sqlite:///{Path(tmp.name) / 'bench.db'}")
    else:
        name = f"bartr_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(pg_url.rsplit("/", 1)[0] + f"/{name}", pool_size=writers + 2)
    try:
        SQLModel.metadata.create_all(engine)
        return run(engine, writers=writers, seconds=seconds, wallets=wallets, hot=hot, seed=seed)
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if tmp is not None:
            tmp.cleanup()


def _line(name: str, r: dict[str, object]) -> str:
    return (
        f"  {name:<16} {r['transfers_per_s']:>8}/s  p50 {r['p50_ms']:>6} ms  "
        f"p95 {r['p95_ms']:>6} ms  p99 {r['p99_ms']:>6} ms  refused {r['insufficient_credits']}"
        f"  errors {r['errors']} {r['error_samples'] or ''}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--wallets", type=int, default=200)
    parser.add_argument("--hot", action="store_true", help="every transfer spends one wallet")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="admin URL; a temp DB is made")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)

    result = measure(
        args.db,
        writers=args.writers,
        seconds=args.seconds,
        wallets=args.wallets,
        hot=args.hot,
        pg_url=args.pg_url,
        seed=args.seed,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['db']}: {result['writers']} writers, {result['wallets']} wallets"
            f"{' (hot wallet)' if result['hot'] else ''}\n"
            + _line("app (ledger)", result["app"])  # type: ignore[arg-type]
            + "\n"
            + _line("plain SQL floor", result["sql"])  # type: ignore[arg-type]
            + f"\n  ratio            {result['ratio']}x of the floor"
            f"\n  invariants       {'ok' if not result['problems'] else result['problems']}"
        )
    return 1 if result["problems"] or result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
