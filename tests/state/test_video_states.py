"""The session page's video card and the room page's state, driven directly on the real
clock (the handlers call the services without a `now`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reflex.istate.data import RouterData
from reflex_base import constants
from sqlmodel import Session

from bartr.models.accounts import User
from bartr.services import accounts, video
from bartr.state.session_call import SessionCallState
from bartr.state.session_room import MEDIA_REFUSED, SessionRoomState
from tests.factories import make_user, sign_in
from tests.services import video_factories as vf
from tests.services.session_factories import make_pair, scheduled

livekit_on, livekit_off = vf.livekit_on, vf.livekit_off


def _state(cls: type, user: User | None, db: Session, path: str) -> Any:
    state = cls(_reflex_internal_init=True)
    state.router = RouterData.from_router_data(
        {constants.RouteVar.ORIGIN: path, constants.RouteVar.HEADERS: {"origin": "http://t"}}
    )
    sign_in(state, accounts.open_session_for(db, user).token if user else "")
    db.commit()
    return state


def _now_session(db: Session, *, starts_in: timedelta = timedelta(minutes=-5)):  # type: ignore[no-untyped-def]
    """A scheduled hour starting `starts_in` from now (on the hour or half hour)."""
    now = datetime.now(UTC)
    start = (now + starts_in).replace(second=0, microsecond=0)
    start = start.replace(minute=start.minute - start.minute % 15)
    pair = make_pair(db, teacher_tz="Europe/Berlin", learner_tz="America/New_York")
    s = scheduled(db, pair, start=start, now=start - timedelta(days=1))
    return pair, s


def test_card_lights_join_inside_the_window(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db)
    card = _state(SessionCallState, pair.learner, db, f"/sessions/{s.id}")
    card.load_call()
    assert card.call_enabled and card.call_can_join
    assert card.call_note.startswith("Open now, until ")
    assert card.call_room_href == f"/sessions/{s.id}/room"


def test_card_says_when_it_opens_before_the_window(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db, starts_in=timedelta(days=2))
    card = _state(SessionCallState, pair.teacher, db, f"/sessions/{s.id}")
    card.load_call()
    assert card.call_enabled and not card.call_can_join
    assert "The call opens at " in card.call_note and "your time on" in card.call_note
    assert card.call_opens_iso


def test_card_shows_attendance_viewer_first_in_their_zone(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db)
    assert s.starts_at is not None
    for who, kind, minute in (
        (pair.teacher, "participant_joined", -2),
        (pair.learner, "participant_joined", 2),
        (pair.learner, "participant_left", 4),
    ):
        body = vf.event_body(
            kind, room=s.video_room or "", at=s.starts_at + timedelta(minutes=minute),
            identity=str(who.id),
        )  # fmt: skip
        video.handle_webhook(
            db, body=body, authorization=vf.sign(body), gateway=vf.gateway(), now=s.starts_at
        )
    db.commit()
    card = _state(SessionCallState, pair.learner, db, f"/sessions/{s.id}")
    card.load_call()
    ny = [
        (s.starts_at + timedelta(minutes=m)).astimezone(_zone("America/New_York"))
        for m in (-2, 2, 4)
    ]
    first = pair.teacher.display_name.split(" ")[0]
    assert card.call_attendance == (
        f"You: {ny[1]:%H:%M}–{ny[2]:%H:%M} · {first}: {ny[0]:%H:%M}–now"
    )


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_card_says_video_is_off(db: Session, livekit_off: None) -> None:
    pair, s = _now_session(db)
    card = _state(SessionCallState, pair.learner, db, f"/sessions/{s.id}")
    card.load_call()
    assert not card.call_enabled and not card.call_can_join
    assert card.call_note == video.NOT_CONFIGURED


def test_join_issues_the_token_then_clears_it_once_connected(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db)
    room = _state(SessionRoomState, pair.learner, db, f"/sessions/{s.id}/room")
    room.load_room()
    assert room.room_error == "" and room.room_token == ""
    assert room.room_other_name == pair.teacher.display_name
    room.join({"videoEnabled": False, "audioEnabled": True, "audioDeviceId": "mic-2"})
    assert room.joined and room.server_url == vf.URL
    claims = vf.verifier().verify(room.room_token)
    assert claims.identity == str(pair.learner.id)
    assert claims.video is not None and claims.video.room == s.video_room
    assert room.camera_on is False and room.microphone_on is True
    assert room.room_options == {"audioCaptureDefaults": {"deviceId": "mic-2"}}
    room.connected()
    assert room.room_token == ""
    assert room.left() is not None  # back to the session page
    assert not room.joined


def test_a_failed_connection_clears_the_token_and_says_so(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db)
    room = _state(SessionRoomState, pair.teacher, db, f"/sessions/{s.id}/room")
    room.load_room()
    room.join({})
    assert room.room_token
    room.connection_failed()
    assert room.left() is None  # never connected: stay and explain
    assert room.room_token == "" and not room.joined and room.join_error


def test_strangers_get_no_token(db: Session, livekit_on: None) -> None:
    _, s = _now_session(db)
    stranger = make_user(db)
    room = _state(SessionRoomState, stranger, db, f"/sessions/{s.id}/room")
    room.load_room()
    assert room.room_error == video.STRANGER
    room.join({"videoEnabled": True})
    assert room.room_token == "" and not room.joined and room.join_error == video.STRANGER


def test_media_refusals_are_explained(db: Session, livekit_on: None) -> None:
    pair, s = _now_session(db)
    room = _state(SessionRoomState, pair.learner, db, f"/sessions/{s.id}/room")
    room.preview_failed()
    assert room.media_error == MEDIA_REFUSED
    room.device_failed("NotFound")
    assert "No camera or microphone was found" in room.media_error
