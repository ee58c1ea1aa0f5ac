"""TEMPORARY (not committed): demo data + screenshots of the trust pages."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser
from sqlmodel import Session, select

from bartr import demo_data
from bartr.db import make_engine, set_engine
from bartr.models.accounts import User
from bartr.services import availability, profiles, sessions
from tests.e2e.journeys import log_in

OUT = Path("/tmp/trust_shots")


def test_shots(browser: Browser, app_url: str, app_env: dict[str, str]) -> None:
    engine = make_engine(app_env["DATABASE_URL"])
    set_engine(engine)
    demo_data.seed()
    with Session(engine) as db:
        maya = db.exec(select(User).where(User.email == "maya@demo.bartr.app")).one()
        handle = maya.handle
        lucas = db.exec(select(User).where(User.email == "lucas@demo.bartr.app")).one()
        skill = profiles.skills_of(db, user_id=lucas.id, kind="teach")[0]
        from datetime import timedelta

        from bartr.models.base import utcnow

        asked = utcnow() - timedelta(days=2)
        start = availability.next_free_slots(
            db, user_id=lucas.id, after=asked + timedelta(hours=2), duration_minutes=60, limit=1
        )[0]
        booked = sessions.do_request_session(
            db, actor=maya, skill_id=skill.id, duration_minutes=60, start_times=[start], now=asked
        )
        sessions.do_accept(db, actor=lucas, session_id=booked.id, starts_at=start, now=asked)
        end = start + timedelta(minutes=60)
        sessions.do_mark_complete(db, actor=lucas, session_id=booked.id, now=end)
        sessions.do_confirm_complete(db, actor=maya, session_id=booked.id, now=end)
        db.commit()
        sid, skill_id = booked.id, skill.id
    paths = [
        f"/sessions/{sid}",
        f"/sessions/new?skill={skill_id}",
        "/trust",
        f"/u/{handle}",
        "/marketplace?sort=trust",
        "/marketplace?stars=4",
        "/",
        "/profile",
    ]
    for dark in (False, True):
        for phone in (False, True):
            ctx = browser.new_context(
                viewport={"width": 375, "height": 812} if phone else {"width": 1280, "height": 900},
                color_scheme="dark" if dark else "light",
                base_url=app_url,
            )
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            log_in(page, email="maya@demo.bartr.app", password=demo_data.DEMO_PASSWORD)
            for path in paths:
                page.goto(path)
                page.wait_for_timeout(2500)
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                page.screenshot(
                    path=str(
                        OUT / f"{name}{'-dark' if dark else ''}{'-phone' if phone else ''}.png"
                    ),
                    full_page=True,
                )
            ctx.close()
    # a visitor's view of the profile and trust page
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=app_url)
    page = ctx.new_page()
    page.goto(f"/u/{handle}")
    page.wait_for_timeout(2500)
    page.screenshot(path=str(OUT / "profile-visitor.png"), full_page=True)
    ctx.close()
    set_engine(None)
