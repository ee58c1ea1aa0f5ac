"""The periodic job loop started with the app (expiry, auto-completion, reminders, rating
publication, and the daily trust decay).

Safe with several backend workers: each transition locks its session row and moves credits
under an idempotency key, so two workers running the same sweep change things once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

log = logging.getLogger("bartr.jobs")
INTERVAL_SECONDS = 60
_last_decay: date | None = None  # per process; a second worker repeating it changes nothing


def _tick() -> dict[str, int]:
    from bartr.db import unit_of_work
    from bartr.services import availability, jobs, ratings

    result = jobs.run_once()
    # Weekly UTC availability bitmaps follow DST changes; only stale rows are recomputed.
    with unit_of_work() as db:
        result["bitmaps_refreshed"] = availability.refresh_bitmaps(db)
    # Ratings whose double-blind week is over become public and count in the stats.
    with unit_of_work() as db:
        result["ratings_published"] = ratings.publish_due(db)
    result["trust_decayed"] = daily_trust_decay()
    return result


def daily_trust_decay(now: datetime | None = None) -> int:
    """Once a day, recompute every teacher's stats so old events fade (services/trust.py).

    Batches of 500 teachers, one transaction each; returns how many were recomputed.
    """
    global _last_decay
    from bartr.db import unit_of_work
    from bartr.models.base import utcnow
    from bartr.services import trust

    now = now or utcnow()
    today = now.date()
    if _last_decay == today:
        return 0
    done, after = 0, 0
    while True:
        with unit_of_work() as db:
            batch = trust.teachers_to_refresh(db, after_id=after)
            if not batch:
                break
            done += trust.recompute_all(db, batch, now=now)
        after = batch[-1]
    _last_decay = today
    return done


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
