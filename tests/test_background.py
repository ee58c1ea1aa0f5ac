"""The periodic loop: registered jobs run on their own pace, off the event loop, and a
failing job neither stops the loop nor the other jobs."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from bartr import background


def test_the_apps_jobs_are_registered() -> None:
    names = {job.name for job in background.registered()}
    assert {"session transitions", "availability bitmaps"} <= names


def test_register_periodic_refuses_a_zero_interval() -> None:
    with pytest.raises(ValueError):
        background.register_periodic("never", timedelta(0), lambda: None)


def test_loop_runs_jobs_in_threads_and_survives_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background, "_JOBS", {})
    loop_thread = threading.get_ident()
    seen: list[int] = []

    def ok() -> dict[str, int]:
        seen.append(threading.get_ident())
        return {"done": 1}

    def broken() -> None:
        raise RuntimeError("boom")

    background.register_periodic("broken", timedelta(milliseconds=10), broken)
    background.register_periodic("ok", timedelta(milliseconds=10), ok)

    async def run() -> None:
        task = asyncio.create_task(background.periodic_jobs())
        for _ in range(200):  # bounded: at most ~2 s
            await asyncio.sleep(0.01)
            if len(seen) >= 3:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert len(seen) >= 3
    assert loop_thread not in seen


def test_run_job_logs_and_swallows_errors(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    job = background.PeriodicJob("broken", timedelta(seconds=1), broken)
    assert background.run_job(job) is None
    assert "broken" in caplog.text
