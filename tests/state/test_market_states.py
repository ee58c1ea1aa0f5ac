"""Marketplace and profile-editing handlers, driven as the socket would call them."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.models.accounts import User
from bartr.services import accounts, availability, categories, profiles
from bartr.state.marketplace import ForYouState, MarketplaceState
from bartr.state.profile_edit import AvailabilityEditorState, ProfileEditState, SkillEditorState
from bartr.state.profile_view import ProfileViewState
from bartr.state.view_models import slot_label
from tests.factories import events_of, make_user


def _token(engine: Engine, user: User) -> str:
    with Session(engine, expire_on_commit=False) as db:
        token = accounts.open_session_for(db, db.get(User, user.id)).token  # type: ignore[arg-type]
        db.commit()
        return token


def _at(state: Any, url: str) -> None:
    path = urlparse(url).path
    state.parent_state.router = RouterData.from_router_data(
        {
            "headers": {"origin": "http://test", "cookie": state.router.headers.cookie},
            "asPath": url,
            "pathname": path,
        }
    )


def _run(handler_result: Any) -> Any:
    """Drain a generator handler; return the last thing it yielded or returned."""
    if hasattr(handler_result, "__next__") or hasattr(handler_result, "__anext__"):
        events = events_of(handler_result)
        return events[-1] if events else None
    return handler_result


def _redirect_target(spec: Any) -> str:
    return spec.args[0][1]._var_value


def _search_in_place(handler_result: Any) -> str:
    """Run a filter change to the end; the URL it wrote into the address bar.

    The first thing it sends is the `history.replaceState` script (no redirect), then the
    results of the same event.
    """
    first = events_of(handler_result)[0]
    script = str(first.args[0][1]._var_value)
    assert script.startswith("window.history.replaceState(") and "redirect" not in script
    return str(json.loads(script[script.index("'', ") + 4 : -1]))


def _world(engine: Engine) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as db:
        categories.seed_categories(db)
        teacher = make_user(db, name="Tomás Rivera", timezone="Europe/Madrid")
        other = make_user(db, name="Lena Brook")
        me = make_user(db, name="Rosa Member", timezone="Europe/Berlin")
        skills = {}
        for user, level in ((teacher, "advanced"), (other, "beginner")):
            skills[level] = profiles.do_add_skill(
                db,
                actor=user,
                kind="teach",
                category_slug="music",
                title="Flamenco guitar",
                level=level,
                tags=["flamenco"],
            ).id
            availability.do_set_availability(db, actor=user, windows=[(0, "09:00", "12:00")])
        db.commit()
    return {"teacher": teacher, "other": other, "me": me, "skills": skills}


def test_marketplace_reads_every_filter_from_the_url_and_writes_changes_back(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(MarketplaceState, token=_token(sqlite_engine, world["me"]))
    _at(state, "/marketplace?q=flamenco&category=music&level=advanced&sort=rating")
    _run(state.load())
    assert (state.q, state.category, state.level, state.sort) == (
        "flamenco",
        "music",
        "advanced",
        "rating",
    )
    assert [c.teacher for c in state.cards] == ["Tomás Rivera"]
    assert state.cards[0].request_url == f"/sessions/new?skill={world['skills']['advanced']}"
    assert state.cards[0].next_slot and state.shown_timezone == "Europe/Berlin"
    assert state.error == "" and not state.loading

    # A change keeps every other choice, goes back to page 1 and searches in the same
    # event: the results are there when the handler ends, no load handler re-runs.
    target = _search_in_place(state.choose_level("all"))
    assert parse_qs(urlparse(target).query) == {
        "q": ["flamenco"],
        "category": ["music"],
        "sort": ["rating"],
    }
    assert sorted(c.teacher for c in state.cards) == ["Lena Brook", "Tomás Rivera"]
    assert state.level == "all" and not state.loading
    target = _search_in_place(state.add_tag("#Rumba"))
    assert parse_qs(urlparse(target).query)["tags"] == ["rumba"]
    assert state.cards == [] and state.tags == ["rumba"]


def test_marketplace_tolerates_junk_in_the_url(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    _world(sqlite_engine)
    state = make_state(MarketplaceState)
    _at(state, "/marketplace?level=wizard&sort=%27;drop&page=-4&q=%22%28%2A")
    _run(state.load())
    assert state.level == "all" and state.sort == "relevance" and state.page == 1
    assert state.error == ""


def test_for_you_only_on_the_unfiltered_first_page_and_only_for_members(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    with Session(sqlite_engine, expire_on_commit=False) as db:
        profiles.do_add_skill(
            db,
            actor=db.get(User, world["me"].id),
            kind="learn",
            category_slug="music",
            title="Flamenco guitar",
            level="beginner",
        )
        db.commit()
    token = _token(sqlite_engine, world["me"])
    state = make_state(ForYouState, token=token)
    _at(state, "/marketplace")
    _run(state.load())
    assert {r.teacher for r in state.for_you} == {"Tomás Rivera", "Lena Brook"}
    assert all(r.reasons for r in state.for_you)

    filtered = make_state(ForYouState, token=token)
    _at(filtered, "/marketplace?category=music")
    _run(filtered.load())
    assert filtered.for_you == []

    visitor = make_state(ForYouState)
    _at(visitor, "/marketplace")
    _run(visitor.load())
    assert visitor.for_you == [] and not visitor.hint


def test_editing_someone_elses_skill_is_refused_and_changes_nothing(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(SkillEditorState, token=_token(sqlite_engine, world["me"]))
    state.load()
    # A hostile client forges the id of another member's skill.
    state.editing_id = world["skills"]["advanced"]
    state.f_category, state.f_level, state.f_title = "music", "expert", "Mine now"
    state.save()
    assert "your own skills" in state.form_error
    with Session(sqlite_engine) as db:
        titles = [s.title for s in profiles.skills_of(db, user_id=world["teacher"].id)]
    assert titles == ["Flamenco guitar"]

    state.confirm_id = world["skills"]["advanced"]
    state.remove()
    with Session(sqlite_engine) as db:
        assert len(profiles.skills_of(db, user_id=world["teacher"].id)) == 1


def test_adding_a_skill_shows_field_errors_then_lists_it(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(SkillEditorState, token=_token(sqlite_engine, world["me"]))
    state.load()
    state.open_new("teach")
    state.set_f_title("Watercolour")
    state.save()
    assert state.errors == {"category": "Choose a category from the list."}
    assert state.dialog_open
    state.set_f_category("design")
    state.add_tag("#Painting ")
    state.tag_draft = "landscapes"  # typed but not yet confirmed: still saved
    state.save()
    assert state.errors == {} and not state.dialog_open
    assert [(s.title, s.tags) for s in state.teaches] == [
        ("Watercolour", ["painting", "landscapes"])
    ]


def test_a_forged_token_writes_nothing(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(AvailabilityEditorState, token="forged")
    state.windows = []
    state.add_window(2)
    state.save()
    assert "log in again" in state.error
    with Session(sqlite_engine) as db:
        assert availability.windows_for(db, world["me"].id) == ([], None)


def test_availability_errors_come_from_the_service_and_nothing_is_saved(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(AvailabilityEditorState, token=_token(sqlite_engine, world["me"]))
    state.load()
    state.add_window(0)
    key = state.windows[0].key
    state.set_start(key, "14:00")
    state.set_end(key, "10:00")
    state.save()
    assert "end must be after the start" in state.error
    state.set_end(key, "16:00")
    state.add_window(0)
    state.set_start(state.windows[1].key, "15:00")
    state.save()
    assert "overlaps" in state.error
    with Session(sqlite_engine) as db:
        assert availability.windows_for(db, world["me"].id) == ([], None)
    state.remove_window(state.windows[1].key)
    state.save()
    assert state.error == "" and not state.dirty
    with Session(sqlite_engine) as db:
        windows, zone = availability.windows_for(db, world["me"].id)
    assert [w.label for w in windows] == ["Monday 14:00–16:00"] and zone == "Europe/Berlin"


def test_an_upload_that_is_not_an_image_shows_the_service_message(
    make_state, sqlite_engine
) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(ProfileEditState, token=_token(sqlite_engine, world["me"]))
    fake = rx.UploadFile(file=io.BytesIO(b"<svg onload=alert(1)>"))
    asyncio.run(state.upload_avatar([fake]))
    assert "not an image we can read" in state.avatar_error
    huge = rx.UploadFile(file=io.BytesIO(b"\x89PNG" + b"0" * (3 * 1024 * 1024)))
    asyncio.run(state.upload_avatar([huge]))
    assert "too large" in state.avatar_error
    with Session(sqlite_engine) as db:
        assert db.get(User, world["me"].id).avatar_path is None  # type: ignore[union-attr]


def test_profile_save_maps_field_errors(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(ProfileEditState, token=_token(sqlite_engine, world["me"]))
    state.load()
    assert state.display_name == "Rosa Member" and state.timezone == "Europe/Berlin"
    state.set_timezone("Mars/Olympus")
    state.save()
    assert "timezone" in state.errors
    state.set_timezone("Asia/Tokyo")
    state.set_bio("Hello <b>there</b>")
    state.save()
    assert state.errors == {} and state.form_error == ""
    with Session(sqlite_engine) as db:
        user = db.get(User, world["me"].id)
        assert user is not None and user.bio == "Hello <b>there</b>"


def test_public_profile_in_the_viewers_zone_and_unknown_handles(make_state, sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    world = _world(sqlite_engine)
    state = make_state(ProfileViewState, token=_token(sqlite_engine, world["me"]))
    _at(state, f"/u/{world['teacher'].handle}")
    _run(state.load())
    assert state.name == "Tomás Rivera" and not state.not_found
    assert state.shown_timezone == "Europe/Berlin" and state.grid_whose == "your"
    assert state.days[0].summary == "09:00–12:00"  # Madrid and Berlin share a zone offset
    assert state.teaches[0].request_url.startswith("/sessions/new?skill=")

    missing = make_state(ProfileViewState)
    _at(missing, "/u/nobody-here")
    _run(missing.load())
    assert missing.not_found and not missing.loading


def test_slot_labels_are_relative_and_in_the_given_zone() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday
    assert slot_label(datetime(2026, 3, 2, 13, 0, tzinfo=UTC), "Europe/Berlin", now=now) == (
        "Today 14:00"
    )
    assert slot_label(datetime(2026, 3, 3, 8, 0, tzinfo=UTC), "Europe/Berlin", now=now) == (
        "Tomorrow 09:00"
    )
    assert slot_label(datetime(2026, 3, 5, 8, 0, tzinfo=UTC), "Asia/Tokyo", now=now) == "Thu 17:00"
    assert slot_label(None, "UTC") == ""


def test_an_avatar_is_decoded_and_stored_off_the_event_loop(
    make_state, sqlite_engine, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Decoding and writing the file (S3 with a remote store) happen in threads; the event
    loop only records the key."""
    import threading

    from PIL import Image

    from bartr.adapters import registry
    from bartr.adapters.storage import LocalStorage

    seen: list[bool] = []

    class Watched(LocalStorage):
        def save(self, key, chunks):  # type: ignore[no-untyped-def]
            seen.append(threading.current_thread() is threading.main_thread())
            return super().save(key, chunks)

    registry.override("storage", Watched(tmp_path))
    try:
        world = _world(sqlite_engine)
        state = make_state(ProfileEditState, token=_token(sqlite_engine, world["me"]))
        picture = io.BytesIO()
        Image.new("RGB", (64, 64), "teal").save(picture, format="PNG")
        asyncio.run(state.upload_avatar([rx.UploadFile(file=io.BytesIO(picture.getvalue()))]))
    finally:
        registry.override("storage", None)
    assert state.avatar_error == "" and seen == [False]
    with Session(sqlite_engine) as db:
        assert db.get(User, world["me"].id).avatar_path.startswith("avatars/")  # type: ignore[union-attr]
