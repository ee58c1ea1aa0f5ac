"""A member sets up their profile, finds a teacher's skill by search and filters, and the
search survives a reload because every choice is in the URL."""

from __future__ import annotations

import io
import re
import uuid
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect
from sqlmodel import Session

import bartr.models  # noqa: F401  (register every table)
from bartr.db import make_engine
from bartr.services import accounts, availability, categories, profiles
from tests.e2e.journeys import PASSWORD, choose, onboard, sign_up


def _seed_teachers(database_url: str, suffix: str) -> dict[str, object]:
    """Two flamenco guitar teachers at different levels, straight through the services."""
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            categories.seed_categories(db)
            seeded: dict[str, object] = {}
            for name, level in (
                (f"Tomás Rivera {suffix}", "advanced"),
                (f"Lena Brook {suffix}", "beginner"),
            ):
                user = accounts.do_sign_up(
                    db,
                    email=f"{name.split()[0].lower()}-{suffix}@example.com".replace("á", "a"),
                    password=PASSWORD,
                    display_name=name,
                )
                accounts.do_complete_onboarding(
                    db,
                    actor=user,
                    bio="Guitar since I was six.",
                    languages=["Spanish", "English"],
                    timezone="Europe/Madrid",
                )
                skill = profiles.do_add_skill(
                    db,
                    actor=user,
                    kind="teach",
                    category_slug="music",
                    title="Flamenco guitar",
                    level=level,
                    tags=["flamenco", "guitar"],
                    description="Rhythm first, then falsetas.",
                )
                availability.do_set_availability(
                    db, actor=user, windows=[(d, "09:00", "18:00") for d in range(7)]
                )
                seeded[level] = {"name": name, "handle": user.handle, "skill_id": skill.id}
            db.commit()
            return seeded
    finally:
        engine.dispose()


def _png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 160, 140)).save(out, format="PNG")
    return out.getvalue()


def test_profile_setup_then_find_a_teacher_by_search_and_filters(
    page: Page, app_env: dict[str, str]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    seeded = _seed_teachers(app_env["DATABASE_URL"], suffix)
    teacher, other = seeded["advanced"], seeded["beginner"]
    assert isinstance(teacher, dict) and isinstance(other, dict)

    # A new member signs up, onboards and goes on to their profile from the done screen.
    sign_up(page, name="Rosa Member", email=f"rosa-{suffix}@example.com")
    onboard(page, languages=("English",), timezone="Europe/Berlin")
    page.get_by_role("link", name="Edit your profile").click()
    expect(page).to_have_url(re.compile(r"/profile/?$"))

    # Edit the bio.
    expect(page.locator("#bio")).to_have_value("I like teaching.")
    page.fill("#bio", "I paint with watercolours and want to learn flamenco.")
    page.locator("#profile-save").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()

    # A photo: a file that is not an image is refused with the service's words; a PNG works
    # and is served back from the media route.
    upload = page.locator("#avatar input[type=file]")
    upload.set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image"}]
    )
    expect(page.get_by_text("That file is not an image we can read")).to_be_visible()
    upload.set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png_bytes()}]
    )
    expect(page.get_by_text("Photo updated.")).to_be_visible()
    photo = page.locator("#about img").first
    expect(photo).to_have_attribute("src", re.compile(r"^/api/media/avatars/[\w-]+\.webp$"))
    assert page.request.get(photo.get_attribute("src") or "").status == 200

    # Add a skill to teach, with a category, a level and a tag.
    page.locator("#add-teach").click()
    page.fill("#skill-title", "Watercolour landscapes")
    choose(page, "#skill-category", "Design")
    choose(page, "#skill-level", "Intermediate")
    page.fill("#skill-tags", "watercolour")
    page.locator("#skill-tags").press("Enter")
    expect(page.get_by_role("dialog").get_by_text("watercolour", exact=True)).to_be_visible()
    page.locator("#skill-save").click()
    expect(page.get_by_text("Skill added.")).to_be_visible()
    expect(page.locator("#skills-teach").get_by_text("Watercolour landscapes")).to_be_visible()

    # Find the advanced flamenco teacher: search text plus two filters.
    page.goto("/marketplace")
    page.fill("#search-q", "flamenco")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"q=flamenco"))
    results = page.locator("#results")
    expect(results.get_by_text(str(teacher["name"]))).to_be_visible()
    expect(results.get_by_text(str(other["name"]))).to_be_visible()

    choose(page, "#filter-category", "Music")
    expect(page).to_have_url(re.compile(r"category=music"))
    choose(page, "#filter-level", "Advanced")
    expect(page).to_have_url(re.compile(r"level=advanced"))

    def check_results() -> None:
        expect(results.get_by_text(str(teacher["name"]))).to_be_visible()
        expect(results.get_by_text(str(other["name"]))).to_have_count(0)
        card = results.locator(".skill-card", has_text=str(teacher["name"]))
        expect(card.get_by_text("Flamenco guitar")).to_be_visible()
        expect(card.get_by_text("Next free")).to_be_visible()

    check_results()
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["flamenco"]
    assert query["category"] == ["music"]
    assert query["level"] == ["advanced"]

    # The URL is the search: a reload shows the same filters and results.
    page.reload()
    check_results()
    expect(page.locator("#search-q")).to_have_value("flamenco")
    expect(page.locator("#filter-category")).to_contain_text("Music")
    expect(page.locator("#filter-level")).to_contain_text("Advanced")

    # Open the teacher's public profile from the card.
    results.get_by_role("link", name=str(teacher["name"]), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/u/{teacher['handle']}/?$"))
    expect(page.get_by_role("heading", name=str(teacher["name"]))).to_be_visible()
    teaches = page.locator("#teaches")
    expect(teaches.get_by_text("Flamenco guitar")).to_be_visible()
    request = teaches.get_by_role("link", name="Request a session")
    expect(request).to_have_attribute("href", f"/sessions/new?skill={teacher['skill_id']}")
    expect(page.get_by_text("No reviews yet")).to_be_visible()
    expect(page.locator("#availability").get_by_text("Monday")).to_have_count(0)
    expect(page.locator("#availability").get_by_text("Mon", exact=True)).to_be_visible()


def test_marketplace_empty_result_offers_to_clear_filters(page: Page) -> None:
    page.goto("/marketplace?q=zzzyqxnothing&level=expert")
    expect(page.get_by_text("No one teaches that yet — try fewer filters")).to_be_visible()
    page.locator("#clear-filters").click()
    expect(page).to_have_url(re.compile(r"/marketplace/?$"))
