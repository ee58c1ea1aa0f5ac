"""The periodic job loop started with the app (expiry, auto-completion, reminders).

Safe with several backend workers: each transition locks its session row and moves credits
under an idempotency key, so two workers running the same sweep change things once.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("bartr.jobs")
INTERVAL_SECONDS = 60


async def periodic_jobs() -> None:
    from bartr.services import jobs

    while True:
        try:
            result = await asyncio.to_thread(jobs.run_once)
            if any(result.values()):
                log.info("periodic transitions: %s", result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic job failed; retrying next minute")
        await asyncio.sleep(INTERVAL_SECONDS)
