"""The production app (frontend + backend on one port) on a throw-away SQLite file with the
demo community, for the benches that drive it in a browser (page_content, search_latency).

    with AppServer(port=3141) as app:
        app.base             # http://localhost:3141
        app.database_url     # the throw-away database (seeded with `bartr.cli seed-demo`)
        app.login("maya@demo.bartr.app")   # a session token, as the bartr_session cookie

It builds into its own folders (`.web-bench/`, `.states-bench/`, Reflex's
REFLEX_WEB_WORKDIR / REFLEX_STATES_WORKDIR) so it never touches the `.web/` of `make run`
or the `.web-e2e/` of the browser tests; the first build takes a minute or two, later ones
reuse the folder. Started with `reflex run --env prod` as `scripts/serve.sh` and the
browser tests do; stopped (the whole process group) on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
WEB_DIR = ROOT / ".web-bench"
STATES_DIR = ROOT / ".states-bench"


def _wait_for(url: str, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited while starting; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except Exception:
            time.sleep(1)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f}s; see {log}")


class AppServer:
    """`reflex run --env prod` on `port` with the demo data, in a temporary folder."""

    def __init__(self, port: int = 3141, *, quiet: bool = True) -> None:
        self.port = port
        self.base = f"http://localhost:{port}"
        self.quiet = quiet
        self.tmp = Path(tempfile.mkdtemp(prefix="bartr-bench-app-"))
        self.database_url = f"sqlite:///{self.tmp / 'bench.db'}"
        self.log_path = self.tmp / "app.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "BARTR_ENVIRONMENT": "test",
            "BARTR_BCRYPT_ROUNDS": "4",
            "BARTR_LOGIN_ATTEMPTS_PER_ADDRESS": "10000",
            "BARTR_ALLOWED_ORIGINS": f"{self.base},http://127.0.0.1:{port}",
            "BARTR_PUBLIC_URL": self.base,
            "BARTR_MEDIA_DIR": str(self.tmp / "media"),
            "BARTR_OUTBOX_DIR": str(self.tmp / "outbox"),
            "REFLEX_API_URL": self.base,
            "REFLEX_WEB_WORKDIR": str(WEB_DIR),
            "REFLEX_STATES_WORKDIR": str(STATES_DIR),
            "REFLEX_USE_SYSTEM_BUN": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "0",
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        }
        for name in ("REDIS_URL", "REFLEX_REDIS_URL", "BARTR_SMTP_URL"):
            self.env.pop(name, None)

    @property
    def client_dir(self) -> Path:
        """The built static frontend (HTML and hashed /assets)."""
        return WEB_DIR / "build" / "client"

    def __enter__(self) -> AppServer:
        for cmd in (["migrate"], ["seed-demo"]):
            subprocess.run(
                [sys.executable, "-m", "bartr.cli", *cmd],
                cwd=ROOT,
                env=self.env,
                check=True,
                capture_output=self.quiet,
            )
        reflex = shutil.which("reflex", path=str(Path(sys.executable).parent)) or "reflex"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--frontend-port", str(self.port),
             "--backend-port", str(self.port), "--loglevel", "warning"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_for(f"{self.base}/api/health", 900, self.proc, self.log_path)
            _wait_for(f"{self.base}/", 300, self.proc, self.log_path)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._log.close()

    def login(self, email: str) -> dict[str, str]:
        """See `login_to`."""
        return login_to(self.database_url, email)


def login_to(database_url: str, email: str) -> dict[str, str]:
    """A fresh session token for the member (the value of the bartr_session cookie),
    with what the page benches visit: another member's handle and one of the member's
    sessions (the demo's past sessions)."""
    from sqlmodel import col, select

    from bartr.db import make_engine, set_engine, unit_of_work
    from bartr.models.accounts import User
    from bartr.models.sessions import SkillSession as Booking
    from bartr.services import accounts

    engine = make_engine(database_url)
    set_engine(engine)
    try:
        with unit_of_work() as db:
            user = db.exec(select(User).where(User.email == email)).one()
            token = accounts.open_session_for(db, user).token
            other = db.exec(
                select(User.handle).where(User.id != user.id).order_by(col(User.id))
            ).first()
            booking = db.exec(
                select(Booking.id)
                .where((Booking.learner_id == user.id) | (Booking.teacher_id == user.id))
                .order_by(col(Booking.id).desc())
            ).first()
        return {"token": token, "handle": str(other), "session_id": str(booking)}
    finally:
        set_engine(None)
        engine.dispose()
