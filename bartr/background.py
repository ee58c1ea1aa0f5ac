"""The periodic job loop started with the app (expiry, auto-completion, reminders).

Safe with several backend workers: each transition locks its session row and moves credits
under an idempotency key, so two workers running the same sweep change things once.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger("bartr.jobs")
INTERVAL_SECONDS = 60


def _tick() -> dict[str, int]:
    from bartr.db import unit_of_work
    from bartr.services import availability, jobs

    result = jobs.run_once()
    # Weekly UTC availability bitmaps follow DST changes; only stale rows are recomputed.
    with unit_of_work() as db:
        result["bitmaps_refreshed"] = availability.refresh_bitmaps(db)
    return result


async def periodic_jobs() -> None:
    while True:
        try:
            result = await asyncio.to_thread(_tick)
            if any(result.values()):
                log.info("periodic transitions: %s", result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("periodic job failed; retrying next minute")
        await asyncio.sleep(INTERVAL_SECONDS)
