"""Marketplace search as a member sees it: from submitting a query to its results on screen.

    .venv/bin/python -m bench.search_latency --base http://localhost:3000 --runs 40

Needs a running app with the demo data (`make run`). In headless Chromium, logged out, it
submits a query on /marketplace (the form's own submit, as Enter does) and times until
the first card shows a skill matching the query, no skeleton is left and the address bar
carries the query; queries rotate so each run changes the results. Prints p50/p95/p99.
Compare with the search's SQL time from `bench.marketplace_queries`.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://localhost:3000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    times: list[float] = []
    timeouts = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(args.base + "/marketplace")
        page.wait_for_selector("#results .skill-card", timeout=60_000)
        for i in range(args.runs + 3):
            took = float(page.evaluate(_MEASURE, QUERIES[i % len(QUERIES)]))
            if i < 3:
                continue  # warm-up
            if took < 0:
                timeouts += 1
            else:
                times.append(took)
        browser.close()
    if not times:
        print("no search finished in 10 s")
        return 1
    print(
        f"search, submit to results on screen ({len(times)} runs, {timeouts} over 10 s):\n"
        f"  p50 {_pct(times, 0.5):.1f} ms  p95 {_pct(times, 0.95):.1f} ms  "
        f"p99 {_pct(times, 0.99):.1f} ms  mean {statistics.fmean(times):.1f} ms"
    )
    return 1 if timeouts else 0


if __name__ == "__main__":
    sys.exit(main())
