"""Ledger write throughput under concurrent writers.

    python -m bench.ledger_throughput --db sqlite --writers 8 --seconds 10
    python -m bench.ledger_throughput --db postgresql --writers 8 --seconds 10

Seeds N member wallets in a throw-away database (a temporary SQLite file, or a fresh
PostgreSQL database created next to --pg-url and dropped afterwards), then runs W threads
that each repeatedly open a unit of work and transfer a random amount between two random
wallets (`ledger.transfer`: lock both rows in id order, check, write two entries).
With --hot, every transfer spends from the same wallet (worst case for row locks).

Reports transfers/s, p50/p95/p99 latency, refusals (InsufficientCredits) and errors,
then checks the books (`ledger.check_invariants` and the seeded total) and exits
non-zero on any problem or unexpected error.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import bartr.models  # noqa: F401  (registers every table)
from bartr.db import make_engine, read_session, set_engine, unit_of_work
from bartr.models.accounts import User
from bartr.services import ledger
from bartr.services.credits import credits
from bartr.services.errors import InsufficientCredits

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


def run(
    engine: Engine, *, writers: int, seconds: float, wallets: int, hot: bool, seed: int
) -> dict[str, object]:
    per_wallet = credits(10)
    # With --hot the first wallet is rich enough never to run dry: every spend locks it.
    hot_balance = credits(1_000_000) if hot else 0
    ids = _seed(engine, wallets, per_wallet, hot=hot_balance)
    set_engine(engine)
    latencies: list[list[float]] = [[] for _ in range(writers)]
    outcomes: list[Counter[str]] = [Counter() for _ in range(writers)]
    errors: list[str] = []
    barrier = threading.Barrier(writers + 1)
    deadline = 0.0

    def writer(n: int) -> None:
        rng = random.Random(seed + n)
        barrier.wait()
        i = 0
        while time.perf_counter() < deadline:
            source = ids[0] if hot else rng.choice(ids)
            target = rng.choice(ids)
            while target == source:
                target = rng.choice(ids)
            amount = rng.randint(1, 120)
            started = time.perf_counter()
            try:
                with unit_of_work() as db:
                    ledger.transfer(
                        db,
                        from_user_id=source,
                        to_user_id=target,
                        amount=amount,
                        key=f"bench:{n}:{i}",
                    )
                outcomes[n]["ok"] += 1
            except InsufficientCredits:
                outcomes[n]["insufficient"] += 1
            except Exception as exc:
                outcomes[n]["error"] += 1
                if len(errors) < 5:
                    errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            latencies[n].append(time.perf_counter() - started)
            i += 1

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(writers)]
    for t in threads:
        t.start()
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    total = sum(outcomes, Counter())
    all_latencies = sorted(x for per in latencies for x in per)
    with read_session() as db:
        problems = ledger.check_invariants(db)
        seeded_total = sum(ledger.available_balance(db, uid) for uid in ids)
    expected = per_wallet * len(ids) + (hot_balance - per_wallet if hot else 0)
    if seeded_total != expected:
        problems.append(f"wallets hold {seeded_total}, seeded {expected}")
    set_engine(None)
    return {
        "db": engine.dialect.name,
        "writers": writers,
        "wallets": wallets,
        "hot": hot,
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
        "problems": problems,
    }


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

    admin: Engine | None = None
    name = ""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.db == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="bartr-bench-")
        engine = make_engine(f"sqlite:///{Path(tmp.name) / 'bench.db'}")
    else:
        name = f"bartr_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(args.pg_url.rsplit("/", 1)[0] + f"/{name}", pool_size=args.writers + 2)
    try:
        SQLModel.metadata.create_all(engine)
        result = run(
            engine,
            writers=args.writers,
            seconds=args.seconds,
            wallets=args.wallets,
            hot=args.hot,
            seed=args.seed,
        )
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if tmp is not None:
            tmp.cleanup()

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['db']}: {result['writers']} writers, {result['wallets']} wallets"
            f"{' (hot wallet)' if result['hot'] else ''}, {result['seconds']} s\n"
            f"  transfers/s   {result['transfers_per_s']}  ({result['transfers']} committed)\n"
            f"  attempts/s    {result['attempts_per_s']}\n"
            f"  latency ms    p50 {result['p50_ms']}  p95 {result['p95_ms']}"
            f"  p99 {result['p99_ms']}\n"
            f"  refused       {result['insufficient_credits']} (InsufficientCredits)\n"
            f"  errors        {result['errors']} {result['error_samples'] or ''}\n"
            f"  invariants    {'ok' if not result['problems'] else result['problems']}"
        )
    return 1 if result["problems"] or result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
