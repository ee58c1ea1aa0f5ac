"""Pages as a member sees them arrive: navigation to the last content change, against a
static copy of the same page.

    .venv/bin/python -m bench.page_content --visits 10            # builds and serves the app
    .venv/bin/python -m bench.page_content --base http://localhost:3000 --visits 10

Logged in as a demo member (maya@demo.bartr.app, a session token set as the HttpOnly
bartr_session cookie), headless Chromium opens home, marketplace, another member's profile
(/u/<handle>), wallet, sessions and one of the member's session pages, each `--visits`
times cold (a new browser context: empty cache, new socket) and warm (a second visit in
the same context: cached assets, a new socket). An init script (Playwright's
add_init_script, before any of the page's own scripts) keeps a MutationObserver on the
document and notes the time of every change to the page's body (changes in <head>, such
as the title and injected styles, are not content); a visit ends once nothing has changed
for `--quiet` ms and no Radix skeleton is left in the page, and its figure is the time of
the last change, from the navigation's start (performance.now()). The same script counts
the Socket.IO event frames the page received before that last change ("frames"), which
says how many server round trips the content needed, and notes the first contentful
paint.

The floor: after the first cold visit of each page, the rendered page (`page.content()`,
the live DOM with its styles) is saved with every <script> and module preload removed and
served, with the build's hashed /assets, by a plain static server (Python's
ThreadingHTTPServer) on the next port; the same measurement on that copy is what a page
that arrived whole would cost on this machine. Prints p50/p95 per page and the ratio of
the app's p50 to the static copy's.

Without --base the bench builds and serves the production app itself on a throw-away
SQLite file with the demo data (bench/app_server.py, port 3141; the static copy on 3142).
`measure()` returns the figures for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import statistics
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, sync_playwright

MEMBER = "maya@demo.bartr.app"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

# Runs before the page's own scripts in every document of the context.
_INIT = """
(() => {
  window.__bench = { last: 0, changes: 0, frames: [], sent: [], busy: [] };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.busy.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) { /* no long-task timing in this browser */ }
  const isContent = (node) => {
    const el = node && node.nodeType === 1 ? node : node && node.parentElement;
    return !(el && el.closest && el.closest('head'));
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target === document.documentElement && r.type === 'attributes') continue;
      if (isContent(r.target)) {
        window.__bench.last = performance.now();
        window.__bench.changes += 1;
        return;
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.startsWith('42')) {
          window.__bench.frames.push(performance.now());
        }
      });
    }
    send(data) {
      if (typeof data === 'string' && data.startsWith('42')) {
        const name = (data.match(/"name":"([^"]+)"/) || [])[1] || '';
        window.__bench.sent.push([performance.now(), name.split('.').pop()]);
      }
      return super.send(data);
    }
  };
})();
"""

# Polled until the page has been still for `quiet` ms with no skeleton left.
_SETTLED = """
([quiet, needFrames]) => {
  const b = window.__bench;
  if (!b || document.readyState !== 'complete') return null;
  const now = performance.now();
  const skeleton = document.querySelector('.rt-Skeleton, [aria-busy="true"]');
  if (skeleton && now < 20000) return null;
  if (now - b.last < quiet) return null;
  if (needFrames && (!b.frames.length || now - b.frames[b.frames.length - 1] < quiet)) return null;
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    last: Math.max(b.last, performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd),
    frames: b.frames.filter((t) => t <= b.last).length,
    frame_times: b.frames.map(Math.round),
    busy: b.busy.filter((t) => t[0] <= b.last).reduce((sum, t) => sum + t[1], 0),
    sent: b.sent.filter((s) => s[0] <= b.last).map((s) => s[1]),
    fcp: paint ? paint.startTime : -1,
    skeleton: !!skeleton,
  };
}
"""


@dataclass
class PageFigures:
    name: str
    path: str
    app_cold: list[float] = field(default_factory=list)
    app_warm: list[float] = field(default_factory=list)
    static_cold: list[float] = field(default_factory=list)
    static_warm: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    fcp: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)
    skeleton_left: int = 0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"page": self.name, "path": self.path}
        for key in ("app_cold", "app_warm", "static_cold", "static_warm", "fcp", "busy"):
            values: list[float] = getattr(self, key)
            out[f"{key}_p50"] = round(pct(values, 0.5), 1)
            out[f"{key}_p95"] = round(pct(values, 0.95), 1)
        for kind in ("cold", "warm"):
            floor = out[f"static_{kind}_p50"]
            out[f"ratio_{kind}"] = round(out[f"app_{kind}_p50"] / floor, 1) if floor else None
        out["frames_p50"] = statistics.median(self.frames) if self.frames else None
        out["skeleton_left"] = self.skeleton_left
        return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _visit(
    ctx: BrowserContext, url: str, quiet: float, *, app: bool = True
) -> tuple[dict[str, Any], str]:
    """One navigation in `ctx`: its figures and the rendered HTML. On the app, a visit
    also waits for the socket's first frame (a page that shows nothing until the app's
    scripts run would otherwise look finished while the scripts load)."""
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    page.goto(url, wait_until="commit", timeout=60_000)
    handle = page.wait_for_function(_SETTLED, arg=[quiet, app], polling=50, timeout=60_000)
    result: dict[str, Any] = handle.json_value()
    return result, page.content()


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_PRELOAD = re.compile(r"<link\b[^>]*rel=\"modulepreload\"[^>]*>", re.I)


def static_copy(html: str) -> str:
    """The rendered page without its scripts: what a page that arrived whole would be."""
    return _PRELOAD.sub("", _SCRIPT.sub("", html))


@contextmanager
def static_server(root: Path, assets: Path, port: int) -> Iterator[str]:
    """A plain static server: `root` (the saved pages), /assets from the build."""
    (root / "assets").unlink(missing_ok=True)
    (root / "assets").symlink_to(assets, target_is_directory=True)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def _context(browser: Browser, base: str, token: str | None) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script(_INIT)
    if token:
        ctx.add_cookies([{"name": "bartr_session", "value": token, "url": base, "httpOnly": True}])
    return ctx


def measure(
    base: str,
    *,
    token: str,
    handle: str,
    session_id: str,
    client_dir: Path,
    visits: int = 5,
    quiet: float = 1000,
    static_port: int = 3142,
    pages: list[str] | None = None,
    log: Any = print,
) -> list[dict[str, Any]]:
    """Cold and warm visits of each page and of its static copy; one summary per page."""
    targets = {
        "home": "/",
        "marketplace": "/marketplace",
        "profile": f"/u/{handle}",
        "wallet": "/wallet",
        "sessions": "/sessions",
        "session": f"/sessions/{session_id}",
    }
    chosen = [(n, p) for n, p in targets.items() if not pages or n in pages]
    figures = {name: PageFigures(name, path) for name, path in chosen}
    copies = Path(tempfile.mkdtemp(prefix="bartr-static-"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One unmeasured pass: the app's first requests (imports, caches) are not a page's.
        warm_ctx = _context(browser, base, token)
        for _, path in chosen:
            _visit(warm_ctx, base + path, quiet)
        warm_ctx.close()
        for name, path in chosen:
            fig = figures[name]
            for i in range(visits):
                ctx = _context(browser, base, token)
                cold, html = _visit(ctx, base + path, quiet)
                warm, _ = _visit(ctx, base + path, quiet)
                ctx.close()
                fig.app_cold.append(cold["last"])
                fig.app_warm.append(warm["last"])
                fig.frames.append(int(cold["frames"]))
                fig.fcp.append(float(cold["fcp"]))
                fig.busy.append(float(cold["busy"]))
                fig.skeleton_left += int(cold["skeleton"]) + int(warm["skeleton"])
                if i == 0:
                    folder = copies / name
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / "index.html").write_text(static_copy(html))
        with static_server(copies, client_dir / "assets", static_port) as static:
            for name, _ in chosen:
                fig = figures[name]
                for _ in range(visits):
                    ctx = _context(browser, static, None)
                    cold, _ = _visit(ctx, f"{static}/{name}/", quiet, app=False)
                    warm, _ = _visit(ctx, f"{static}/{name}/", quiet, app=False)
                    ctx.close()
                    fig.static_cold.append(cold["last"])
                    fig.static_warm.append(warm["last"])
        browser.close()
    rows = [figures[name].summary() for name, _ in chosen]
    for row in rows:
        log(_line(row))
    return rows


HEAD = (
    f"{'page':<12} {'cold p50/p95 ms':>17} {'static':>13} {'ratio':>6}   "
    f"{'warm p50/p95 ms':>17} {'static':>13} {'ratio':>6}   {'frames':>6} {'FCP':>6} {'busy':>6}"
)


def _line(r: dict[str, Any]) -> str:
    def pair(key: str) -> str:
        return f"{r[key + '_p50']:.0f} / {r[key + '_p95']:.0f}"

    skeleton = (
        f"  ({r['skeleton_left']} visits ended with a skeleton)" if r["skeleton_left"] else ""
    )
    return (
        f"{r['page']:<12} {pair('app_cold'):>17} {pair('static_cold'):>13} "
        f"{r['ratio_cold']:>5}x   {pair('app_warm'):>17} {pair('static_warm'):>13} "
        f"{r['ratio_warm']:>5}x   {r['frames_p50']:>6} {r['fcp_p50']:>6.0f} {r['busy_p50']:>6.0f}{skeleton}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="a running app with the demo data")
    parser.add_argument("--web-dir", type=Path, default=None, help="its .web folder (--base)")
    parser.add_argument("--port", type=int, default=3141, help="where to serve the app")
    parser.add_argument("--static-port", type=int, default=3142)
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--quiet", type=float, default=1000, help="ms without a change")
    parser.add_argument("--pages", default="", help="comma-separated subset")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    from bench.app_server import ROOT, AppServer

    print(HEAD)
    if args.base:
        from bench.app_server import login_to

        database_url = _database_url_of_running_app()
        info = login_to(database_url, MEMBER)
        web = args.web_dir or ROOT / ".web"
        rows = measure(args.base, client_dir=web / "build" / "client", visits=args.visits,
                       quiet=args.quiet, static_port=args.static_port, pages=pages, **info)  # fmt: skip
    else:
        with AppServer(args.port) as app:
            info = app.login(MEMBER)
            rows = measure(app.base, client_dir=app.client_dir, visits=args.visits,
                           quiet=args.quiet, static_port=args.static_port, pages=pages, **info)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


def _database_url_of_running_app() -> str:
    from bartr.settings import get_settings

    return get_settings().database_url


if __name__ == "__main__":
    sys.exit(main())
