"""Screenshot pages of a running app in headless Chromium (light/dark, desktop/phone).

    .venv/bin/python scripts/screenshots.py / /login /signup --out artifacts/shots
Pass --login EMAIL:PASSWORD to log in first.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://localhost:3000")
    parser.add_argument("--out", default="artifacts/shots")
    parser.add_argument("--login", default=None)
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--phone", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        viewport = {"width": 375, "height": 812} if args.phone else {"width": 1280, "height": 860}
        ctx = browser.new_context(viewport=viewport, color_scheme="dark" if args.dark else "light")
        page = ctx.new_page()
        if args.login:
            email, password = args.login.split(":", 1)
            page.goto(args.base + "/login")
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_timeout(1500)
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_timeout(1800)
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            suffix = ("-dark" if args.dark else "") + ("-phone" if args.phone else "")
            target = out / f"{name}{suffix}.png"
            page.screenshot(path=str(target), full_page=args.full)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
