"""Time marketplace searches and "for you" recommendations on a large community.

    python -m bench.marketplace_queries --db sqlite|postgresql [--users 20000 --skills 100000]

Seeds a throw-away database once (SQLite: a file in the temp folder; PostgreSQL: a
database created through postgresql://postgres@127.0.0.1:5432/postgres) and reuses it on
later runs; then times N random first-page searches (text + filters + sort) and M
for_you calls, each in its own read transaction, and prints p50 / p95 / max in ms.
Each call's statements are recorded and replayed bare on the driver right after it
(`bench/sql_floor.py`): that is the floor, the call's own SQL, printed beside it.
`measure()` returns the figures for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bartr.db import make_engine
from bartr.models.accounts import User
from bartr.services import marketplace, recommendations
from bench import seed_scale, sql_floor

PG_ADMIN = os.environ.get("BARTR_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORDS = [w.lower() for words in seed_scale.SUBJECTS.values() for w in words] + [
    "beginners", "conversational", "advanced", "weekend", "masterclass", "c++", '"jazz',
    "spanish or french", "-kids guitar", "online",
]  # fmt: skip


def _engine(kind: str, users: int, skills: int, reseed: bool) -> Engine:
    name = f"bartr_bench_{users}_{skills}"
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.db"
        if reseed:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return make_engine(f"sqlite:///{path}")
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = (
            conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            is not None
        )
        if found and reseed:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        elif found:
            admin.dispose()
            return make_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")


def _read_session(engine: Engine) -> Session:
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="DEFERRED")  # type: ignore[assignment]
    return Session(engine, expire_on_commit=False)


def _random_search(rng: random.Random, slugs: list[str], tags: list[str]) -> dict:
    kwargs: dict = {"sort": rng.choice(marketplace.SORTS)}
    if rng.random() < 0.6:
        kwargs["q"] = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
    if rng.random() < 0.35:
        kwargs["category"] = rng.choice(slugs)
    if rng.random() < 0.25:
        kwargs["level"] = rng.choice(seed_scale.LEVELS)
    if rng.random() < 0.15:
        kwargs["tags"] = [rng.choice(tags)]
    if rng.random() < 0.2:
        kwargs["language"] = rng.choice(["Spanish", "French", "German", "Japanese", "English"])
    if rng.random() < 0.2:
        kwargs["free_when_i_am"] = True
    return kwargs


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)]


def _time(label: str, calls: list[Callable[[], object]], engine: Engine) -> dict[str, float]:
    """Wall time per call; CPU time of this process too (all of SQLite's work, none of a
    PostgreSQL server's), which shows how much of the wall time is waiting for a core;
    and the floor: the same call's statements replayed bare on the driver."""
    times, cpu, sql = [], [], []
    for call in calls:
        with sql_floor.capture(engine) as statements:
            c0, t0 = time.thread_time(), time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        sql.append(sql_floor.replay(engine, statements))

    print(
        f"{label:<20} n={len(times):<4} wall p50={pct(times, 0.5):6.1f} p95={pct(times, 0.95):6.1f}"
        f" max={max(times):6.1f} ms | its SQL p50={pct(sql, 0.5):6.1f} p95={pct(sql, 0.95):6.1f}"
        f" | client cpu p50={pct(cpu, 0.5):6.1f} p95={pct(cpu, 0.95):6.1f} ms",
        flush=True,
    )
    return {
        "n": len(times),
        "p50_ms": round(pct(times, 0.5), 2),
        "p95_ms": round(pct(times, 0.95), 2),
        "sql_p50_ms": round(pct(sql, 0.5), 2),
        "sql_p95_ms": round(pct(sql, 0.95), 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--skills", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--for-you", type=int, default=100)
    parser.add_argument("--reseed", action="store_true", help="drop and seed again")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verbose", action="store_true", help="print each slow query")
    args = parser.parse_args(argv)
    measure(
        args.db,
        users=args.users,
        skills=args.skills,
        queries=args.queries,
        for_you=args.for_you,
        reseed=args.reseed,
        seed=args.seed,
        verbose=args.verbose,
    )


def measure(
    db: str,
    *,
    users: int,
    skills: int,
    queries: int = 200,
    for_you: int = 100,
    reseed: bool = False,
    seed: int = 7,
    verbose: bool = False,
) -> dict[str, dict[str, float]]:
    """Seed (or reuse) the community, time each kind of call and its SQL floor."""
    args = argparse.Namespace(
        db=db, users=users, skills=skills, queries=queries, for_you=for_you, reseed=reseed,
        seed=seed, verbose=verbose,
    )  # fmt: skip
    engine = _engine(args.db, args.users, args.skills, args.reseed)
    if seed_scale.seeded_users(engine) < args.users:
        print(f"seeding {args.users} users / {args.skills} teach skills into {engine.url} ...")
        t0 = time.perf_counter()
        seed_scale.seed(engine, users=args.users, skills=args.skills)
        print(f"seeded in {time.perf_counter() - t0:.1f}s")
    else:
        print(f"reusing {engine.url}")

    rng = random.Random(args.seed)
    with _read_session(engine) as db:
        viewers = list(
            db.exec(select(User).where(User.status == "active", User.onboarded_at.is_not(None)))  # type: ignore[union-attr]
        )
    slugs = list(seed_scale.SUBJECTS)
    tags = [
        w.lower() for words in seed_scale.SUBJECTS.values() for w in words
    ] + seed_scale.TAG_POOL

    def search_call(viewer: User, kwargs: dict) -> Callable[[], object]:
        def run() -> object:
            with _read_session(engine) as db:
                t0 = time.perf_counter()
                page = marketplace.search(db, viewer=viewer, **kwargs)
                ms = (time.perf_counter() - t0) * 1000
                if args.verbose and ms > 30:
                    print(f"  slow {ms:6.1f} ms total={page.total} {kwargs}")
                return page

        return run

    def for_you_call(viewer: User) -> Callable[[], object]:
        def run() -> object:
            with _read_session(engine) as db:
                return recommendations.for_you(db, viewer=viewer)

        return run

    warm = [search_call(rng.choice(viewers), _random_search(rng, slugs, tags)) for _ in range(20)]
    warm += [for_you_call(rng.choice(viewers)) for _ in range(10)]
    for call in warm:
        call()
    print(f"{args.db}: {args.users} users, {args.skills} teach skills, {os.cpu_count()} cores")
    out: dict[str, dict[str, float]] = {}
    out["search"] = _time(
        "marketplace.search",
        [
            search_call(rng.choice(viewers), _random_search(rng, slugs, tags))
            for _ in range(args.queries)
        ],
        engine,
    )
    out["search_4_stars"] = _time(
        "4 stars and up",
        [
            search_call(
                rng.choice(viewers),
                {**_random_search(rng, slugs, tags), "min_stars": 4},
            )
            for _ in range(max(1, args.queries // 2))
        ],
        engine,
    )
    out["for_you"] = _time(
        "for_you", [for_you_call(rng.choice(viewers)) for _ in range(args.for_you)], engine
    )
    out["swap_circles"] = _time("swap_circles", [
        (lambda v=rng.choice(viewers): _circles(engine, v)) for _ in range(max(1, args.for_you // 4))
    ], engine)  # fmt: skip
    engine.dispose()
    return out


def _circles(engine: Engine, viewer: User) -> object:
    with _read_session(engine) as db:
        return recommendations.swap_circles(db, viewer=viewer)


if __name__ == "__main__":
    main()
