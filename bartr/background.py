"""The app's periodic work: one asyncio loop, started with the app, running registered jobs.

This is the place for anything that must happen on a clock (expiring requests, closing
sessions, reminders, refreshing availability bitmaps, sending the mail outbox, decaying
trust scores...). Register a job with

    register_periodic("mail outbox", every=timedelta(seconds=30), fn=send_outbox)

next to the others at the bottom of this module, so every periodic job is listed in one
place. `fn` takes no arguments, runs in a worker thread (never on the event loop), opens
its own unit(s) of work (`bartr.db.unit_of_work`: services never open transactions) and
may return counts to log. A failing job is logged and tried again at its next turn; it
never stops the others.

Safe with several backend workers: each worker runs the loop, so every job must be
idempotent under concurrency (the session transitions lock their row and move credits
under an idempotency key, so two workers running the same sweep change things once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger("bartr.jobs")
MAX_SLEEP_SECONDS = 60.0

JobResult = Mapping[str, int] | None


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    fn: Callable[[], JobResult]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: timedelta, fn: Callable[[], JobResult]) -> None:
    """Run `fn` about every `every` while the app runs (registering a name again replaces it)."""
    if every.total_seconds() <= 0:
        raise ValueError("a periodic job needs a positive interval")
    _JOBS[name] = PeriodicJob(name=name, every=every, fn=fn)


def unregister_periodic(name: str) -> None:
    _JOBS.pop(name, None)


def registered() -> list[PeriodicJob]:
    return list(_JOBS.values())


def run_job(job: PeriodicJob) -> JobResult:
    """One turn of `job`, errors logged (the loop and `bartr.cli` use it)."""
    try:
        result = job.fn()
    except Exception:
        log.exception("periodic job %r failed; retrying at its next turn", job.name)
        return None
    if result and any(result.values()):
        log.info("%s: %s", job.name, dict(result))
    return result


async def periodic_jobs() -> None:
    """The loop the app starts (`app.register_lifespan_task`): each job at its own pace."""
    next_at: dict[str, float] = {}
    while True:
        for job in registered():
            if next_at.get(job.name, 0.0) <= time.monotonic():
                await asyncio.to_thread(run_job, job)
                next_at[job.name] = time.monotonic() + job.every.total_seconds()
        now = time.monotonic()
        waits = [next_at.get(j.name, now) - now for j in registered()]
        await asyncio.sleep(min([MAX_SLEEP_SECONDS, *waits]) if waits else MAX_SLEEP_SECONDS)


# --------------------------------------------------------------------------- the jobs


def run_once(now: datetime | None = None) -> dict[str, int]:
    """One pass over due session transitions against the app's database (one transaction per
    session: expiry, auto-completion, no-show closing, reminders)."""
    from bartr.db import unit_of_work
    from bartr.models.base import utcnow
    from bartr.services import jobs

    return jobs.run_due_transitions(unit_of_work, now=now or utcnow())


def refresh_availability() -> dict[str, int]:
    """Weekly UTC availability bitmaps follow DST changes; only stale rows are recomputed."""
    from bartr.db import unit_of_work
    from bartr.services import availability

    with unit_of_work() as db:
        return {"bitmaps_refreshed": availability.refresh_bitmaps(db)}


def lift_suspensions() -> dict[str, int]:
    """Suspensions whose days are over end by themselves (audited as the system's action)."""
    from bartr.db import unit_of_work
    from bartr.services import moderation_actions

    with unit_of_work() as db:
        return {"suspensions_lifted": moderation_actions.lift_expired_suspensions(db)}


register_periodic("session transitions", timedelta(seconds=60), run_once)
register_periodic("availability bitmaps", timedelta(seconds=60), refresh_availability)
register_periodic("suspensions", timedelta(seconds=60), lift_suspensions)


def publish_ratings() -> dict[str, int]:
    """Ratings whose double-blind week is over become public and count in the stats."""
    from bartr.db import unit_of_work
    from bartr.services import ratings

    with unit_of_work() as db:
        return {"ratings_published": ratings.publish_due(db)}


def decay_trust_scores(now: datetime | None = None) -> dict[str, int]:
    """Recompute every teacher's stats so old events fade (services/trust.py, daily).

    Batches of 500 teachers, one transaction each; running it twice changes nothing more.
    """
    from bartr.db import unit_of_work
    from bartr.models.base import utcnow
    from bartr.services import trust

    now = now or utcnow()
    done, after = 0, 0
    while True:
        with unit_of_work() as db:
            batch = trust.teachers_to_refresh(db, after_id=after)
            if not batch:
                break
            done += trust.recompute_all(db, batch, now=now)
        after = batch[-1]
    return {"trust_scores_recomputed": done}


register_periodic("rating publication", timedelta(seconds=60), publish_ratings)
register_periodic("trust decay", timedelta(days=1), decay_trust_scores)


def purge_deleted_files(days: int | None = None) -> dict[str, int]:
    """Remove the files of course items deleted more than `days` ago (default: settings).

    Daily here and on demand with `python -m bartr.cli purge-deleted --days N`. Idempotent:
    purged rows are marked and deleting a missing file is fine, so several workers are safe.
    """
    from bartr.adapters import registry
    from bartr.db import unit_of_work
    from bartr.services import course_items
    from bartr.settings import get_settings

    days = get_settings().course_purge_days if days is None else days
    with unit_of_work() as db:
        purged = course_items.purge_deleted(db, storage=registry.storage(), days=days)
    return {"course_files_purged": purged}


register_periodic("course file purge", timedelta(days=1), purge_deleted_files)


def close_call_windows(now: datetime | None = None) -> dict[str, int]:
    """Sessions whose video-call window has closed: apply the rules after a call once each
    (services/video/completion.py), one transaction per session. Off while video is off."""
    from bartr.db import read_session, unit_of_work
    from bartr.models.base import utcnow
    from bartr.services import video
    from bartr.settings import get_settings

    if not get_settings().livekit_enabled:
        return {}
    now = now or utcnow()
    with read_session() as db:
        due = video.due_ids(db, now=now)
    outcomes: dict[str, int] = {}
    for session_id in due:
        with unit_of_work() as db:
            outcome = video.apply_call_rules(db, session_id=session_id, now=now, final=True)
        outcomes[f"calls_{outcome}"] = outcomes.get(f"calls_{outcome}", 0) + 1
    return outcomes


register_periodic("video call windows", timedelta(seconds=60), close_call_windows)


def send_daily_digests(now: datetime | None = None) -> dict[str, int]:
    """Each member's digest of unread messages, from 08:00 their time, once a day."""
    from bartr.db import unit_of_work
    from bartr.models.base import utcnow
    from bartr.services import digest

    return {"digests_queued": digest.send_digests(unit_of_work, now=now or utcnow())}


register_periodic("email digest", timedelta(minutes=30), send_daily_digests)


# --------------------------------------------------------------------------- email outbox

OUTBOX_IDLE_SECONDS = 30.0
_outbox_wake: asyncio.Event | None = None
_outbox_loop: asyncio.AbstractEventLoop | None = None


def wake_outbox_sender() -> None:
    """Ask the sender to look at the outbox now (call after committing an enqueue).

    Safe from any thread; a no-op when no sender runs in this process (the next poll,
    or another worker's sender, picks the email up).
    """
    loop, event = _outbox_loop, _outbox_wake
    if loop is None or event is None or loop.is_closed():
        return
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(event.set)


def send_due_emails(*, limit: int = 20) -> int:
    """One pass: claim due emails, send each outside any transaction, record the outcome.

    Blocking (database and SMTP): the loop runs it in a thread. Returns how many were sent.
    """
    from bartr.adapters import registry
    from bartr.adapters.mail import MailNotSent
    from bartr.db import unit_of_work
    from bartr.services import outbox
    from bartr.settings import get_settings

    with unit_of_work() as db:
        claimed = outbox.claim_due(db, limit=limit)
    if not claimed:
        return 0
    mailer = registry.mailer()
    mail_from = get_settings().mail_from
    sent = 0
    for email in claimed:
        try:
            mailer.send(outbox.build_message(email, mail_from=mail_from))
        except MailNotSent as exc:
            with unit_of_work() as db:
                status = outbox.record_failure(db, email=email, error=str(exc))
            log.warning(
                "email %s attempt %s not sent (%s): %s", email.id, email.attempt, status, exc
            )
            continue
        except Exception as exc:  # a bug or a bad message: retried with backoff, then failed
            log.exception("email %s could not be built or sent", email.id)
            with unit_of_work() as db:
                outbox.record_failure(db, email=email, error=f"{type(exc).__name__}: {exc}")
            continue
        with unit_of_work() as db:
            outbox.record_sent(db, email=email)
        sent += 1
    return sent


def _seconds_until_next_email() -> float:
    from bartr.db import read_session
    from bartr.models.base import utcnow
    from bartr.services import outbox

    with read_session() as db:
        due = outbox.next_due_at(db)
    if due is None:
        return OUTBOX_IDLE_SECONDS
    return max(0.0, min(OUTBOX_IDLE_SECONDS, (due - utcnow()).total_seconds()))


async def outbox_sender() -> None:
    """Started with the app: sends due emails, sleeping until the next is due or a wake-up."""
    from bartr.services import outbox

    global _outbox_wake, _outbox_loop
    _outbox_loop = asyncio.get_running_loop()
    _outbox_wake = asyncio.Event()
    outbox.on_enqueued(wake_outbox_sender)  # mail queued in this worker goes out at once
    while True:
        _outbox_wake.clear()
        try:
            while await asyncio.to_thread(send_due_emails) > 0:
                pass
            pause = await asyncio.to_thread(_seconds_until_next_email)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox sender failed; retrying shortly")
            pause = OUTBOX_IDLE_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_outbox_wake.wait(), timeout=max(pause, 0.2))
