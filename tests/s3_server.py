"""A real S3-compatible HTTP server on loopback (`moto_server`), one per test process.

The boto3 code path (multipart uploads, range GETs, presigned URLs) is exercised over
HTTP exactly as against AWS or MinIO. Each test takes a fresh bucket, so tests never
see each other's objects.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bartr.adapters.s3_storage import S3Storage

ACCESS_KEY, SECRET_KEY = "testing-key", "testing-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _moto_command() -> list[str]:
    beside = Path(sys.executable).with_name("moto_server")
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server not found: `pip install -r requirements-dev.txt` (moto[server])")
    return [found]


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `moto_server` on a free loopback port; stop it when the run ends."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*_moto_command(), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):
                break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def s3_storage(moto_endpoint: str) -> S3Storage:
    """An S3Storage on a fresh, empty bucket of the loopback server."""
    store = S3Storage(
        bucket=f"bartr-media-{uuid.uuid4().hex[:12]}",
        region="us-east-1",
        endpoint_url=moto_endpoint,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )
    store.ensure_bucket()
    return store
