"""The periodic job loop started with the app (expiry, auto-completion, reminders).

Safe with several backend workers: each transition locks its session row and moves credits
under an idempotency key, so two workers running the same sweep change things once.
"""

from __future__ import annotations

import asyncio
import logging
import time

log = logging.getLogger("bartr.jobs")
INTERVAL_SECONDS = 60
PURGE_EVERY_SECONDS = 24 * 3600
_last_purge = 0.0


def purge_deleted_files(days: int | None = None) -> int:
    """Remove the files of course items deleted more than `days` ago (default: settings).

    Called daily by the loop below and by `python -m bartr.cli purge-deleted --days N`.
    Idempotent: purged rows are marked, so several workers running it is harmless.
    """
    from bartr.adapters import registry
    from bartr.db import unit_of_work
    from bartr.services import course_items
    from bartr.settings import get_settings

    days = get_settings().course_purge_days if days is None else days
    with unit_of_work() as db:
        return course_items.purge_deleted(db, storage=registry.storage(), days=days)


def _daily() -> dict[str, int]:
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS and _last_purge:
        return {}
    _last_purge = time.monotonic()
    return {"course_files_purged": purge_deleted_files()}


def _tick() -> dict[str, int]:
    from bartr.db import unit_of_work
    from bartr.services import availability, jobs

    result = jobs.run_once()
    # Weekly UTC availability bitmaps follow DST changes; only stale rows are recomputed.
    with unit_of_work() as db:
        result["bitmaps_refreshed"] = availability.refresh_bitmaps(db)
    result.update(_daily())
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
