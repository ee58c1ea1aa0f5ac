"""Steps a person takes, shared by the browser tests."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

PASSWORD = "a quiet walk in the park"
# Screenshots the journeys keep (git-ignored; .ci/run says where they are).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def hydrated(page: Page, selector: str = "form") -> None:
    """Wait until React owns `selector` (its fiber is attached to the element).

    The prerendered HTML shows a form before React has hydrated it: a click then does the
    browser's native submit instead of the page's handler.
    """
    page.wait_for_function(
        "(sel) => { const el = document.querySelector(sel);"
        " return !!el && Object.keys(el).some((k) => k.startsWith('__reactFiber')); }",
        arg=selector,
    )


def sign_up(page: Page, *, name: str, email: str, ref: str | None = None) -> None:
    page.goto(f"/signup?ref={ref}" if ref else "/signup")
    submit_sign_up(page, name=name, email=email)
    # The same password logs in at once, before the address is confirmed.
    log_in(page, email=email)
    expect(page).to_have_url(re.compile(r"/onboarding/?$"))


def submit_sign_up(page: Page, *, name: str, email: str) -> None:
    """Fill and send the sign-up form on the page already open; wait for "check your inbox"."""
    hydrated(page)
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer for every address ("check your inbox").
    expect(page.locator("#signup-sent")).to_be_visible()


def onboard(
    page: Page,
    *,
    bio: str = "I like teaching.",
    languages: tuple[str, ...] = ("English",),
    timezone: str = "Europe/Berlin",
    teach: tuple[tuple[str, str], ...] = (),
    learn: tuple[tuple[str, str], ...] = (),
) -> None:
    """The four onboarding steps; `teach` and `learn` are (title, category) skills to add on
    their steps (both optional, as for a member: Next moves on)."""
    expect(page.get_by_text("Tell the community about yourself")).to_be_visible()
    page.fill("#bio", bio)
    for lang in languages:
        page.get_by_role("button", name=lang, exact=True).click()
    page.locator("#timezone").click()
    page.get_by_role("option", name=timezone, exact=True).click()
    page.locator("#onboarding-finish").click()
    # Teach, learn and availability steps are optional: add what was asked, move on.
    for skills, kind in ((teach, "teach"), (learn, "learn")):
        expect(page.locator(f"#add-{kind}")).to_be_visible()
        for title, category in skills:
            add_skill(page, kind, title=title, category=category)
        page.locator("#onboarding-next").click()
    page.locator("#onboarding-next").click()
    expect(page.locator("#onboarding-done")).to_be_visible()


def choose(page: Page, trigger: str, option: str) -> None:
    """Pick `option` in the select whose trigger is `trigger`."""
    page.locator(trigger).click()
    page.get_by_role("option", name=option, exact=True).click()


def add_skill(page: Page, kind: str, *, title: str, category: str, level: str = "Beginner") -> None:
    """Add a skill to teach or to learn with the skill dialog (profile or onboarding)."""
    page.locator(f"#add-{kind}").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.fill("#skill-title", title)
    choose(page, "#skill-category", category)
    choose(page, "#skill-level", level)
    page.locator("#skill-save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(f"#skills-{kind}").get_by_text(title)).to_be_visible()


def log_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("#main").get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page: Page) -> None:
    page.get_by_label("Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()


def create_admin(app_env: dict[str, str], *, email: str, name: str = "Ada Admin") -> None:
    """An admin, made the way an operator does it (`python -m bartr.cli create-admin`)."""
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "bartr.cli", "create-admin", "--email", email,
         "--name", name, "--password", PASSWORD],
        cwd=ARTIFACTS.parent, env=app_env, check=True, capture_output=True,
    )  # fmt: skip


def report(page: Page, reason: str, details: str = "") -> None:
    """Fill the open report dialog (member, message or course item) and send it."""
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Reason").click()
    page.get_by_role("option", name=reason).click()
    if details:
        page.fill("#report-details", details)
    page.locator("#send-report").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def confirm_email(page: Page, mailbox: Any, email: str) -> None:
    """Open the verification link the app mailed to `email` (tests.e2e.conftest.Mailbox)."""
    text = mailbox.text(mailbox.wait_for(email, "Confirm your email"))
    match = re.search(r"https?://\S+/api/verify-email/\S+", text)
    assert match, text
    page.goto(match.group(0))
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()


@contextmanager
def browser_page(browser: Browser, app_url: str, **options: Any) -> Iterator[Page]:
    """A page in its own browser context (viewport, colour scheme, phone: `options`)."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    ctx = browser.new_context(base_url=app_url, **options)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    try:
        yield pg
    finally:
        ctx.close()


def settled(page: Page, path: str) -> None:
    """Open `path` and wait until its content, not just its skeleton, is on screen."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_timeout(400)  # late content (cards, badges, charts) lands after first paint


def seeded_member(db: Session, name: str, *, timezone: str) -> tuple[int, str]:
    """A member signed up and onboarded through the services (id, email), for journeys that
    start from data rather than the sign-up form."""
    from bartr.services import accounts

    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    user = accounts.do_sign_up(db, email=email, password=PASSWORD, display_name=name)
    accounts.do_complete_onboarding(
        db, actor=user, bio="Hello", languages=["English"], timezone=timezone
    )
    return user.id or 0, email


def move_session(db_engine: Engine, session_id: int, *, starts_at: datetime) -> None:
    """The app runs on the real clock: rather than wait for a session's time, move its agreed
    start (and end, keeping the length) directly in the database; nothing else changes."""
    from bartr.models.sessions import SkillSession

    with Session(db_engine) as db:
        row = db.get(SkillSession, session_id)
        assert row is not None and row.state == "scheduled", row
        row.starts_at = starts_at
        row.ends_at = starts_at + timedelta(minutes=row.duration_minutes)
        db.add(row)
        db.commit()


class Shots:
    """Numbered screenshots of a journey's steps: test-artifacts/<name>/NN-<step>.png.

    The folder is emptied when the journey starts, so what is there is one run's story.
    """

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        """The whole page (from its top: a scrolled page would show the sticky header in the
        middle), or with `full_page=False` what is in view (an open dialog)."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        if full_page:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=path, full_page=full_page, animations="disabled")
        return path


def booked_session(db: Session, *, teacher_id: int, learner_id: int, start: datetime) -> Any:
    """The teacher (free all week) teaches Portuguese conversation; the learner, funded,
    asked a day before `start` and the teacher accepted: a scheduled session, committed."""
    from bartr.models.ledger import TransactionKind
    from bartr.services import accounts, availability, ledger, profiles, sessions
    from bartr.services.credits import credits

    teacher, learner = accounts.get_user(db, teacher_id), accounts.get_user(db, learner_id)
    availability.do_set_availability(
        db, actor=teacher, windows=[(day, "00:00", "24:00") for day in range(7)]
    )
    skill = profiles.do_add_skill(
        db, actor=teacher, kind="teach", category_slug="languages",
        title="Portuguese conversation", level="beginner",
    )  # fmt: skip
    ledger.grant(
        db, user_id=learner_id, amount=credits(3), system="e2e-funding",
        kind=TransactionKind.ADJUSTMENT, key=f"e2e-fund:{learner_id}",
    )  # fmt: skip
    asked = start - timedelta(days=1)
    booked = sessions.do_request_session(
        db, actor=learner, skill_id=skill.id, duration_minutes=60, start_times=[start], now=asked
    )
    sessions.do_accept(db, actor=teacher, session_id=booked.id, starts_at=start, now=asked)
    db.commit()
    return booked
