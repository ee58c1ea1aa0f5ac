"""Every benchmark in one run, printed as ONE table: each figure, its floor measured in the
same run, and the ratio (issue 26.4).

    make bench                                  # or: .venv/bin/python -m bench.run_all
    .venv/bin/python -m bench.run_all --quick   # smaller sizes, a few minutes
    .venv/bin/python -m bench.run_all --only ledger,pages --json out.json

Rows (figure vs floor):
- ledger: transfers/s through `ledger.transfer` vs the same transfer in plain SQL on the
  driver (bench/ledger_reference.py), 8 writers, 200 wallets, SQLite and PostgreSQL (PG
  rows only when 127.0.0.1:5432 answers; a line says so otherwise);
- marketplace at scale (bench/marketplace_queries.py on a generated community, SQLite):
  search, For you and swap circles, p95 of the service call vs p95 of its own SQL
  replayed bare on the driver (bench/sql_floor.py);
- search in the browser (bench/search_latency.py): submit to results on screen, p95, vs
  the same searches' SQL replayed bare, on the app's demo database;
- event round trip (bench/event_roundtrip.py): a no-op Reflex event, 50 concurrent
  Reflex-protocol clients, p95, vs a bare python-socketio echo with the same clients;
- chat delivery (bench/chat_delivery.py, called through its CLI): 200 clients, send to
  shown, p95, vs its bare python-socketio relay floor;
- page content (bench/page_content.py): navigation to the last content change, p50,
  cold and warm cache, per page, vs a static copy of the same page.

The run builds and serves the production app itself (bench/app_server.py, port 3141,
static copies on 3142; the event and chat benches start backend-only servers on free
ports) and stops everything it started. Ratios read "how many times the floor" for times
and "fraction of the floor" for rates (higher is better for rates, lower for times).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.app_server import ROOT

PG_ADMIN = os.environ.get("BARTR_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BARTR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")


@dataclass
class Row:
    bench: str
    figure: str
    value: float | None
    floor: float | None
    unit: str
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> str:
        if self.value is None or not self.floor:
            return "-"
        return f"{self.value / self.floor:.2f}x"


@dataclass
class Sizes:
    ledger_seconds: float
    market_users: int
    market_skills: int
    market_queries: int
    search_runs: int
    rt_clients: int
    rt_seconds: float
    chat_clients: int
    chat_seconds: float
    page_visits: int


FULL = Sizes(8, 10_000, 50_000, 100, 30, 50, 10, 200, 20, 5)
QUICK = Sizes(3, 2_000, 10_000, 30, 10, 50, 4, 200, 8, 2)


def machine() -> str:
    cores = os.cpu_count() or 0
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        cpu = model
    except (OSError, StopIteration):
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cores} cores ({cpu}), {ram}, load average {load} (1/5/15 min) at start"


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError:
        return False
    try:
        from sqlalchemy import text

        from bartr.db import make_engine

        engine = make_engine(PG_ADMIN)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


# --------------------------------------------------------------------------- the benches


def bench_ledger(sizes: Sizes, pg: bool) -> list[Row]:
    from bench import ledger_throughput

    rows = []
    kinds = [("sqlite", False), ("postgresql", False), ("postgresql", True)]
    for db, hot in kinds:
        if db == "postgresql" and not pg:
            continue
        r: dict[str, Any] = ledger_throughput.measure(
            db, writers=8, seconds=sizes.ledger_seconds, wallets=200, hot=hot, pg_url=PG_ADMIN
        )
        app, sql = r["app"], r["sql"]
        label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[db]
        problems = "; ".join(r["problems"]) if r["problems"] else ""
        note = f"p99 {app['p99_ms']} ms vs {sql['p99_ms']} ms"
        if problems or r["errors"]:
            note += f"; PROBLEMS: {problems} errors={r['errors']}"
        rows.append(
            Row(
                "ledger",
                f"transfers/s, {label}, 8 writers, {'hot wallet' if hot else '200 wallets'}",
                float(app["transfers_per_s"]),
                float(sql["transfers_per_s"]),
                "/s",
                higher_is_better=True,
                note=note,
            )
        )
    return rows


def bench_marketplace(sizes: Sizes) -> list[Row]:
    from bench import marketplace_queries

    out = marketplace_queries.measure(
        "sqlite",
        users=sizes.market_users,
        skills=sizes.market_skills,
        queries=sizes.market_queries,
        for_you=max(8, sizes.market_queries // 2),
    )
    scale = f"{sizes.market_users:,} members / {sizes.market_skills:,} skills, SQLite"
    names = {"search": "marketplace.search", "for_you": "For you", "swap_circles": "swap circles"}
    return [
        Row(
            "marketplace",
            f"{label} p95 ({scale})",
            out[key]["p95_ms"],
            out[key]["sql_p95_ms"],
            "ms",
            note=f"p50 {out[key]['p50_ms']} vs {out[key]['sql_p50_ms']} ms (its SQL replayed)",
        )
        for key, label in names.items()
    ]


PAGE_PATHS = {
    "home": "/",
    "marketplace": "/marketplace",
    "profile": "/u/<handle>",
    "wallet": "/wallet",
    "sessions": "/sessions",
    "session": "/sessions/<id>",
}


def bench_browser(sizes: Sizes) -> list[Row]:
    """Search in the browser and page content times: one production app for both."""
    from bench import page_content, search_latency
    from bench.app_server import AppServer

    rows: list[Row] = []
    with AppServer(3141) as app:
        try:
            s = search_latency.measure(app.base, sizes.search_runs)
            floor = search_latency.sql_floor(app.database_url, sizes.search_runs)
            rows.append(
                Row(
                    "search",
                    "submit to results on screen p95 (browser, demo data)",
                    s["p95_ms"],
                    floor["p95_ms"],
                    "ms",
                    note=f"p50 {s['p50_ms']} vs {floor['p50_ms']} ms; {s['timeouts']} over 10 s",
                )
            )
        except Exception as exc:
            rows.append(_failed("search", exc))
        info = app.login(page_content.MEMBER)
        pages = page_content.measure(
            app.base,
            client_dir=app.client_dir,
            visits=sizes.page_visits,
            static_port=3142,
            log=lambda line: None,
            **info,
        )
    for p in pages:
        for kind in ("cold", "warm"):
            rows.append(
                Row(
                    "pages",
                    f"{p['page']} `{PAGE_PATHS.get(p['page'], p['path'])}`, {kind} cache, "
                    "last content change p50",
                    p[f"app_{kind}_p50"],
                    p[f"static_{kind}_p50"],
                    "ms",
                    note=f"p95 {p[f'app_{kind}_p95']:.0f} vs {p[f'static_{kind}_p95']:.0f} ms"
                    + (f"; {p['frames_p50']:.0f} socket frames" if kind == "cold" else ""),
                )
            )
    return rows


def bench_roundtrip(sizes: Sizes) -> list[Row]:
    from bench import event_roundtrip

    r = event_roundtrip.measure(sizes.rt_clients, sizes.rt_seconds)
    app, floor = r["app"], r["floor"]
    return [
        Row(
            "events",
            f"no-op event round trip p95, {sizes.rt_clients} clients",
            app["p95_ms"],
            floor["p95_ms"],
            "ms",
            note=f"{app['events_per_s']}/s vs {floor['events_per_s']}/s; "
            f"p50 {app['p50_ms']} vs {floor['p50_ms']} ms; errors {app['errors']}",
        )
    ]


def bench_chat(sizes: Sizes) -> list[Row]:
    """bench/chat_delivery.py through its CLI (another helper owns it)."""
    out = Path(tempfile.mkdtemp(prefix="bartr-chat-")) / "chat.json"
    cmd = [sys.executable, "-m", "bench.chat_delivery", "--clients", str(sizes.chat_clients),
           "--seconds", str(sizes.chat_seconds), "--interval", "20", "--modes", "floor,one",
           "--redis-url", REDIS_URL, "--json", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    if not out.exists():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        raise RuntimeError(f"chat_delivery wrote no JSON (exit {proc.returncode}): {tail}")
    results = json.loads(out.read_text())["results"]
    floor = next(r for r in results if r["mode"].startswith("floor"))
    rows = []
    for r in results:
        if r is floor:
            continue
        rows.append(
            Row(
                "chat",
                f"delivery p95, {r['clients']} clients, {r['mode']}",
                r["p95_ms"],
                floor["p95_ms"],
                "ms",
                note=f"{r['msgs_per_s']} msgs/s; lost {r['lost']}, duplicated {r['duplicated']}",
            )
        )
    return rows


def _failed(bench: str, exc: BaseException) -> Row:
    return Row(bench, "(failed)", None, None, "", note=f"{type(exc).__name__}: {exc}"[:200])


# --------------------------------------------------------------------------- the table


def table(rows: list[Row], header: list[str]) -> str:
    def fmt(v: float | None, unit: str) -> str:
        if v is None:
            return "-"
        if unit == "/s":
            return f"{v:,.1f}/s"
        return f"{v:,.1f} ms"

    lines = [*header, ""]
    lines.append("| bench | figure | measured | floor (same run) | ratio | notes |")
    lines.append("| --- | --- | ---: | ---: | ---: | --- |")
    for r in rows:
        lines.append(
            f"| {r.bench} | {r.figure} | {fmt(r.value, r.unit)} | {fmt(r.floor, r.unit)} "
            f"| {r.ratio} | {r.note} |"
        )
    return "\n".join(lines)


BENCHES: dict[str, Callable[..., list[Row]]] = {
    "ledger": bench_ledger,
    "marketplace": bench_marketplace,
    "events": bench_roundtrip,
    "chat": bench_chat,
    "browser": bench_browser,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a few minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated: {','.join(BENCHES)}")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    os.environ.setdefault("BARTR_ENVIRONMENT", "test")
    sizes = QUICK if args.quick else FULL
    chosen = [b for b in args.only.split(",") if b] or list(BENCHES)
    header = [
        f"make bench{' --quick' if args.quick else ''}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {machine()}",
    ]
    pg = pg_reachable()
    if not pg:
        header.append(
            "PostgreSQL at 127.0.0.1:5432 did not answer: the PostgreSQL ledger rows are skipped."
        )
    rows: list[Row] = []
    started = time.monotonic()
    for name in chosen:
        t0 = time.monotonic()
        print(f"==> {name}", flush=True)
        try:
            fn = BENCHES[name]
            rows += fn(sizes, pg) if name == "ledger" else fn(sizes)
        except Exception as exc:
            traceback.print_exc()
            rows.append(_failed(name, exc))
        print(f"    {name} took {time.monotonic() - t0:.0f}s", flush=True)
    header.append(
        f"whole run {time.monotonic() - started:.0f}s; load average at the end "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print()
    print(table(rows, header))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2))
    return 1 if any(r.value is None for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
