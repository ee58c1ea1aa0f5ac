"""End-to-end fixtures: the real app (production build) on a throw-away SQLite database,
driven by Playwright in Debian's Chromium.

The app is built and started once per test run (`reflex run --env prod`) on its own port.
It builds into its own directories (`.web-e2e/`, `.states-e2e/`, via Reflex's
REFLEX_WEB_WORKDIR / REFLEX_STATES_WORKDIR), never into the `.web/` a running `make run`
serves: a prod build bakes its backend URL into the pages, so sharing the folder would
leave the running app's pages talking to the test port. The first build takes about a
minute, later runs reuse `.web-e2e/`.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import Engine

from tests.services.video_factories import KEY as LIVEKIT_KEY
from tests.services.video_factories import SECRET as LIVEKIT_SECRET

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BARTR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
# Chromium's fake camera and microphone, granted without asking (the video call's pre-join).
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
E2E_PORT = int(os.environ.get("BARTR_E2E_PORT", "3111"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Video calls are on in the test app, pointed at a loopback port where no LiveKit server
# runs: the `livekit_stub` fixture listens there and records the token the browser sends.
LIVEKIT_STUB_PORT = int(os.environ.get("BARTR_E2E_LIVEKIT_PORT", "0")) or _free_port()
LIVEKIT_URL = f"ws://127.0.0.1:{LIVEKIT_STUB_PORT}"
# Playwright's `expect` waits 5 s by default, separately from the page timeout. On a loaded
# 2-core machine a fresh page's socket handshake and first events can take longer than
# that (pages showed "Log in" and no data after 5 s, then loaded), so wait as long as the
# page timeout does.
expect.set_options(timeout=20_000)
# The test build's own folders; `.web/` and `.states/` belong to `make run`.
E2E_WEB_DIR = ROOT / ".web-e2e"
E2E_STATES_DIR = ROOT / ".states-e2e"
APP_WEB_DIR = ROOT / ".web"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file a build writes in `folder` (not its node_modules)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "node_modules" not in p.relative_to(folder).parts
    }


@pytest.fixture(scope="session")
def app_web_before() -> dict[str, tuple[int, int]]:
    """What `make run`'s `.web/` held before this run built anything (compared after)."""
    return snapshot(APP_WEB_DIR)


def _wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except Exception as exc:  # still starting
            last = exc
        time.sleep(1)
    raise RuntimeError(f"app did not answer at {url} within {timeout:.0f}s: {last}")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Mailbox:
    """What the app's SMTP server (aiosmtpd on loopback) received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, to: str, subject: str, timeout: float = 30) -> EmailMessage:
        """The newest message to `to` whose subject contains `subject` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in reversed(self.messages):
                if msg["To"] == to and subject in str(msg["Subject"]):
                    return msg
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} about {subject!r} within {timeout:.0f}s")

    @staticmethod
    def text(msg: EmailMessage) -> str:
        part = msg.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server the app sends through (BARTR_SMTP_URL), for every browser test."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def app_env(
    tmp_path_factory: pytest.TempPathFactory,
    app_web_before: dict[str, tuple[int, int]],
    mailbox: Mailbox,
) -> dict[str, str]:
    data = tmp_path_factory.mktemp("e2e")
    base = f"http://localhost:{E2E_PORT}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'e2e.db'}",
        "BARTR_ENVIRONMENT": "test",
        "BARTR_BCRYPT_ROUNDS": "4",
        # Every journey logs in from 127.0.0.1: lift the per-address limit (tested in
        # tests/api/test_auth_routes.py), keep the per-email lock.
        "BARTR_LOGIN_ATTEMPTS_PER_ADDRESS": "10000",
        "BARTR_SIGNUP_ATTEMPTS_PER_ADDRESS": "10000",
        "BARTR_ALLOWED_ORIGINS": base,
        "BARTR_PUBLIC_URL": base,
        "BARTR_MEDIA_DIR": str(data / "media"),
        "BARTR_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",  # type: ignore[attr-defined]
        "BARTR_LIVEKIT_URL": LIVEKIT_URL,
        "BARTR_LIVEKIT_API_KEY": LIVEKIT_KEY,
        "BARTR_LIVEKIT_API_SECRET": LIVEKIT_SECRET,
        "REFLEX_API_URL": base,
        "REFLEX_WEB_WORKDIR": str(E2E_WEB_DIR),
        "REFLEX_STATES_WORKDIR": str(E2E_STATES_DIR),
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "bartr.cli", "migrate"], cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture(scope="session")
def app_url(app_env: dict[str, str]) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (Debian package chromium)"
        )
    if not _port_free(E2E_PORT):
        pytest.fail(f"port {E2E_PORT} is busy; set BARTR_E2E_PORT")
    log = open(Path(app_env["DATABASE_URL"].split("///")[1]).parent / "app.log", "w")  # noqa: SIM115
    reflex = shutil.which("reflex", path=str(Path(sys.executable).parent)) or "reflex"
    proc = subprocess.Popen(
        [
            reflex,
            "run",
            "--env",
            "prod",
            "--frontend-port",
            str(E2E_PORT),
            "--backend-port",
            str(E2E_PORT),
            "--loglevel",
            "warning",
        ],
        cwd=ROOT,
        env=app_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(f"http://localhost:{E2E_PORT}/api/health", timeout=420)
        _wait_for(f"http://localhost:{E2E_PORT}/", timeout=420)
        yield f"http://localhost:{E2E_PORT}"
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright per run: a second sync_playwright() in the same thread is refused."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app_url)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ctx.close()


@pytest.fixture
def new_page(browser: Browser, app_url: str) -> Iterator:
    """Factory for extra, independent browser contexts (a second member)."""
    contexts = []

    def make() -> Page:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app_url)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(20_000)
        return pg

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def db_engine(app_env: dict[str, str]) -> Iterator[Engine]:
    """The running test app's database, for journeys that seed members or sessions directly."""
    from bartr.db import make_engine

    engine = make_engine(app_env["DATABASE_URL"])
    yield engine
    engine.dispose()


class LiveKitRecorder(http.server.BaseHTTPRequestHandler):
    """Stands where LiveKit would: records each request (and the token it carries), answers
    401. `seen` grows for the whole run: read it from an index taken before the action."""

    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        token = (query.get("access_token") or [""])[0]
        auth = self.headers.get("Authorization", "")
        LiveKitRecorder.seen.append(
            {"path": urlsplit(self.path).path, "token": token or auth.removeprefix("Bearer ")}
        )
        body = b"no LiveKit server here"
        self.send_response(401)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return

    @classmethod
    def wait_for_token(cls, since: int, timeout: float = 30) -> str:
        """The first token a browser sent after request number `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in cls.seen[since:]:
                if request["token"]:
                    return request["token"]
            time.sleep(0.2)
        raise AssertionError(f"the browser sent no token to the LiveKit URL: {cls.seen[since:]}")


@pytest.fixture(scope="session")
def livekit_stub() -> Iterator[type[LiveKitRecorder]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", LIVEKIT_STUB_PORT), LiveKitRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveKitRecorder
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def media_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake camera and microphone, for the video call's pages."""
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    yield b
    b.close()
