"""Running the browser tests never touches the build a running `make run` serves.

`make run` serves `.web/` with its own backend URL baked into the pages (`env.json`); the
test app builds into `.web-e2e/` with the test port. After the test app is built and
answering, `.web/` must be exactly as it was (or still absent), and the test build's
socket URL must name the test port.
"""

from __future__ import annotations

import json
import urllib.request

from tests.e2e.conftest import APP_WEB_DIR, E2E_PORT, E2E_WEB_DIR, snapshot


def test_test_build_has_its_own_folder_and_port(app_url: str, app_env: dict[str, str]) -> None:
    assert app_env["REFLEX_WEB_WORKDIR"] == str(E2E_WEB_DIR) != str(APP_WEB_DIR)
    env = json.loads((E2E_WEB_DIR / "env.json").read_text(encoding="utf-8"))
    assert env["EVENT"] == f"ws://localhost:{E2E_PORT}/_event"
    with urllib.request.urlopen(f"{app_url}/api/health", timeout=10) as resp:
        assert resp.status == 200


def test_the_running_apps_build_is_untouched(
    app_url: str, app_web_before: dict[str, tuple[int, int]]
) -> None:
    del app_url  # the test app is built and serving by now
    assert snapshot(APP_WEB_DIR) == app_web_before
