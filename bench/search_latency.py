"""Marketplace search as a member sees it: from submitting a query to its results on screen.

    .venv/bin/python -m bench.search_latency --base http://localhost:3000 --runs 40

Needs a running app with the demo data (`make run`; bench/run_all.py starts its own). In headless Chromium, logged out, it
submits a query on /marketplace (the form's own submit, as Enter does) and times until
the first card shows a skill matching the query, no skeleton is left and the address bar
carries the query; queries rotate so each run changes the results. Prints p50/p95/p99.
With --database-url (the app's database) it also times the floor: the same searches'
SQL (`marketplace.search_params` as the page calls it, logged out), recorded and replayed
bare on the driver (bench/sql_floor.py). `measure()` returns both for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from playwright.sync_api import sync_playwright

# Demo skills: each query's results start with a card whose title contains it.
QUERIES = ["guitar", "paella", "chess", "statistics", "spanish", "watercolour", "python"]

_MEASURE = """
async (query) => {
  const input = document.querySelector('#search-q');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  setter.call(input, query);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  input.form.requestSubmit();
  return await new Promise((resolve) => {
    const tick = () => {
      const card = document.querySelector('#results .skill-card');
      const busy = document.querySelector('[aria-busy="true"]');
      const shown = card && card.innerText.toLowerCase().includes(query);
      if (shown && !busy && location.search.includes('q=' + query)) {
        resolve(performance.now() - started);
      } else if (performance.now() - started > 10000) {
        resolve(-1);
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  });
}
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(base: str, runs: int = 40, chromium: str = "/usr/bin/chromium") -> dict[str, float]:
    """Submit-to-results times in the browser (after three unmeasured searches)."""
    times: list[float] = []
    timeouts = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/marketplace")
        page.wait_for_selector("#results .skill-card", timeout=60_000)
        for i in range(runs + 3):
            took = float(page.evaluate(_MEASURE, QUERIES[i % len(QUERIES)]))
            if i < 3:
                continue  # warm-up
            if took < 0:
                timeouts += 1
            else:
                times.append(took)
        browser.close()
    return {
        "runs": len(times),
        "timeouts": timeouts,
        "p50_ms": round(_pct(times, 0.5), 1) if times else float("nan"),
        "p95_ms": round(_pct(times, 0.95), 1) if times else float("nan"),
        "p99_ms": round(_pct(times, 0.99), 1) if times else float("nan"),
        "mean_ms": round(statistics.fmean(times), 1) if times else float("nan"),
    }


def sql_floor(database_url: str, runs: int = 40) -> dict[str, float]:
    """The same searches' own SQL on the app's database, replayed bare."""
    from bartr.db import make_engine, read_session, set_engine
    from bartr.services import marketplace
    from bench import sql_floor as floor

    engine = make_engine(database_url)
    set_engine(engine)
    times: list[float] = []
    try:
        for i in range(runs + 3):
            params = marketplace.SearchParams(q=QUERIES[i % len(QUERIES)])
            with floor.capture(engine) as statements, read_session() as db:
                marketplace.search_params(db, viewer=None, params=params)
            took = floor.replay(engine, statements)
            if i >= 3:
                times.append(took)
    finally:
        set_engine(None)
        engine.dispose()
    return {"p50_ms": round(_pct(times, 0.5), 2), "p95_ms": round(_pct(times, 0.95), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://localhost:3000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--database-url", default=None, help="the app's, for the SQL floor")
    args = parser.parse_args(argv)
    result = measure(args.base, args.runs, args.chromium)
    if not result["runs"]:
        print("no search finished in 10 s")
        return 1
    print(
        f"search, submit to results on screen ({result['runs']} runs, "
        f"{result['timeouts']} over 10 s):\n"
        f"  p50 {result['p50_ms']:.1f} ms  p95 {result['p95_ms']:.1f} ms  "
        f"p99 {result['p99_ms']:.1f} ms  mean {result['mean_ms']:.1f} ms"
    )
    if args.database_url:
        sql = sql_floor(args.database_url, args.runs)
        print(f"  its SQL, replayed bare: p50 {sql['p50_ms']:.2f} ms  p95 {sql['p95_ms']:.2f} ms")
    return 1 if result["timeouts"] else 0


if __name__ == "__main__":
    sys.exit(main())
