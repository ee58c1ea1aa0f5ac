"""The video call from the browser: a participant sees the pre-join preview (Chromium's
fake camera and microphone), joins, and the LiveKit client opens its connection to
BARTR_LIVEKIT_URL carrying a token for this session's room and this member; a stranger on
the same URL is refused and nothing is sent.

No LiveKit server can run here: BARTR_LIVEKIT_URL points at a loopback port where this test
listens (a tiny HTTP server that records each request and answers 401), and the token the
browser carried is checked with livekit-api's TokenVerifier.
"""

from __future__ import annotations

import os
import re
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.models.base import utcnow
from tests.e2e.conftest import LiveKitRecorder
from tests.e2e.journeys import booked_session, log_in, seeded_member
from tests.services import video_factories as vf


def _session_now(db_engine: Engine) -> dict:
    """A teacher and a learner with a session that started ten minutes ago, and a stranger."""
    with Session(db_engine) as db:
        teacher_id, teacher_email = seeded_member(db, "Maya Teacher", timezone="Europe/Berlin")
        learner_id, learner_email = seeded_member(db, "Lee Learner", timezone="Europe/Berlin")
        _, stranger_email = seeded_member(db, "Sam Stranger", timezone="Europe/Berlin")
        start = (utcnow() - timedelta(minutes=10)).replace(second=0, microsecond=0)
        booked = booked_session(db, teacher_id=teacher_id, learner_id=learner_id, start=start)
        return {
            "session_id": booked.id,
            "start": start,
            "teacher_id": teacher_id,
            "room": booked.video_room,
            "learner_id": learner_id,
            "learner_email": learner_email,
            "teacher_email": teacher_email,
            "stranger_email": stranger_email,
        }


def _page(browser: Browser, app_url: str, width: int = 1280) -> Page:
    ctx = browser.new_context(viewport={"width": width, "height": 900}, base_url=app_url)
    ctx.grant_permissions(["camera", "microphone"], origin=app_url)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    return page


def _webhook(app_url: str, kind: str, room: str, at: datetime, identity: str) -> None:
    body = vf.event_body(kind, room=room, at=at, identity=identity)
    request = urllib.request.Request(
        f"{app_url}/api/livekit/webhook",
        data=body.encode(),
        headers={"Authorization": vf.sign(body), "Content-Type": "application/webhook+json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 200


def test_participant_previews_then_connects_with_a_token_for_this_room(
    media_browser: Browser, app_url: str, db_engine: Engine, livekit_stub: type[LiveKitRecorder]
) -> None:
    setup = _session_now(db_engine)
    sid = setup["session_id"]
    # LiveKit reports the teacher in the room and the learner's earlier short visit, through
    # the app's real webhook route.
    start = setup["start"]
    for who, kind, minute in (
        (setup["teacher_id"], "participant_joined", -2),
        (setup["learner_id"], "participant_joined", 1),
        (setup["learner_id"], "participant_left", 3),
    ):
        _webhook(app_url, kind, setup["room"], start + timedelta(minutes=minute), str(who))

    # --- the session page lights Join: the call is open; attendance so far ------------
    learner = _page(media_browser, app_url)
    log_in(learner, email=setup["learner_email"])
    learner.goto(f"/sessions/{sid}")
    card = learner.locator("#video-call")
    expect(card).to_contain_text("Open now, until")
    berlin = ZoneInfo("Europe/Berlin")
    t0, t1, t3 = ((start + timedelta(minutes=m)).astimezone(berlin) for m in (-2, 1, 3))
    expect(learner.locator("#call-attendance")).to_have_text(
        f"You: {t1:%H:%M}–{t3:%H:%M} · Maya: {t0:%H:%M}–now"
    )
    learner.locator("#join-call").click()
    expect(learner).to_have_url(re.compile(rf"/sessions/{sid}/room"))

    # --- pre-join: camera preview from the fake device, device pickers, mute toggles ----
    prejoin = learner.locator("#room-prejoin")
    expect(prejoin.locator("video")).to_be_visible()
    learner.wait_for_function(
        "() => { const v = document.querySelector('#room-prejoin video');"
        " return v && v.videoWidth > 0; }"
    )
    expect(prejoin.get_by_role("button", name="Microphone")).to_be_visible()
    expect(prejoin.get_by_role("button", name="Camera")).to_be_visible()
    expect(learner.locator("#room-time-left")).to_be_visible()
    # The pair's chat thread sits beside the call: a line sent here is in the thread.
    chat = learner.locator("#room-chat")
    expect(chat.locator("#chat-thread")).to_contain_text("Maya Teacher")
    chat.locator("#composer").fill("Joining in a second")
    chat.locator("#composer").press("Enter")
    expect(chat.locator(".bubble-mine").last).to_contain_text("Joining in a second")
    before = len(livekit_stub.seen)
    assert not any(r["token"] for r in livekit_stub.seen[before:])

    # --- join: the client connects to BARTR_LIVEKIT_URL with our token -----------------
    prejoin.get_by_role("button", name="Join the call").click()
    token = livekit_stub.wait_for_token(before)
    claims = vf.verifier().verify(token)
    assert claims.identity == str(setup["learner_id"])
    assert claims.name == "Lee Learner"
    assert claims.video is not None
    assert claims.video.room == setup["room"] and claims.video.room_join
    assert claims.video.can_publish and claims.video.can_subscribe
    # No LiveKit server answered: the page says so and offers Join again.
    expect(learner.get_by_text("The call could not be reached")).to_be_visible()
    learner.context.close()

    # --- a stranger on the same URL is refused, and nothing is sent ----------------------
    stranger = _page(media_browser, app_url)
    log_in(stranger, email=setup["stranger_email"])
    sent = len(livekit_stub.seen)
    stranger.goto(f"/sessions/{sid}/room")
    expect(stranger.locator("#room-refused")).to_have_text(
        "Only the two people in this session can join its call."
    )
    expect(stranger.locator("#room-prejoin")).to_have_count(0)
    time.sleep(2)
    assert len(livekit_stub.seen) == sent
    stranger.context.close()


@pytest.mark.skipif(not os.environ.get("BARTR_E2E_SHOTS"), reason="screenshots on demand")
def test_screenshots(
    media_browser: Browser, app_url: str, db_engine: Engine, livekit_stub: type[LiveKitRecorder]
) -> None:
    """BARTR_E2E_SHOTS=<folder>: the video card, pre-join and refusal, 1280/375, light/dark."""
    folder = Path(os.environ["BARTR_E2E_SHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    setup = _session_now(db_engine)
    sid, start = setup["session_id"], setup["start"]
    _webhook(app_url, "participant_joined", setup["room"], start, str(setup["teacher_id"]))
    for scheme in ("light", "dark"):
        for width in (1280, 375):
            ctx = media_browser.new_context(
                viewport={"width": width, "height": 900}, base_url=app_url, color_scheme=scheme
            )
            ctx.grant_permissions(["camera", "microphone"], origin=app_url)
            page = ctx.new_page()
            page.set_default_timeout(30_000)
            log_in(page, email=setup["learner_email"])
            page.goto(f"/sessions/{sid}")
            expect(page.locator("#call-attendance")).to_be_visible()
            page.locator("#video-call").scroll_into_view_if_needed()
            page.screenshot(path=folder / f"session-{width}-{scheme}.png", full_page=True)
            page.goto(f"/sessions/{sid}/room")
            page.wait_for_function(
                "() => { const v = document.querySelector('#room-prejoin video');"
                " return v && v.videoWidth > 0; }"
            )
            page.screenshot(path=folder / f"prejoin-{width}-{scheme}.png", full_page=True)
            page.get_by_role("button", name="Join the call").click()
            expect(page.get_by_text("The call could not be reached")).to_be_visible()
            page.screenshot(path=folder / f"failed-{width}-{scheme}.png", full_page=True)
            ctx.close()
    stranger = _page(media_browser, app_url)
    log_in(stranger, email=setup["stranger_email"])
    stranger.goto(f"/sessions/{sid}/room")
    expect(stranger.locator("#room-refused")).to_be_visible()
    stranger.screenshot(path=folder / "stranger-1280-light.png", full_page=True)
    stranger.context.close()
