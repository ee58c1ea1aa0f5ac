from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bartr.models.accounts import Role, UserStatus
from bartr.services import accounts, marketplace, profiles, trust
from bartr.services.marketplace import SearchParams
from tests.factories import make_user
from tests.services.profile_factories import add_skill, seed, set_windows


@pytest.fixture(autouse=True)
def _categories(db: Session) -> None:
    seed(db)


def _titles(page: marketplace.SearchPage) -> list[str]:
    return [card.title for card in page.items]


@pytest.fixture
def market(db: Session) -> dict:
    """A small marketplace: three teachers, one viewer."""
    viewer = make_user(db, name="Vera Viewer", timezone="Europe/Berlin")
    ana = make_user(
        db, name="Ana Alvarez", timezone="Europe/Madrid", languages=["Spanish", "English"]
    )
    bo = make_user(db, name="Bo Chen", timezone="Asia/Shanghai", languages=["Chinese (Mandarin)"])
    cy = make_user(
        db, name="Cy Kowalski", timezone="America/New_York", languages=["English", "Polish"]
    )
    add_skill(db, ana, title="Spanish conversation", level="advanced", tags=["spanish", "speaking"],
              description="Relaxed chats over coffee.")  # fmt: skip
    add_skill(db, ana, title="Flamenco guitar", category="music", level="expert", tags=["guitar"])
    add_skill(
        db, bo, title="Mandarin for travellers", level="beginner", tags=["mandarin", "travel"]
    )
    add_skill(db, bo, title="Python and C++ programming", category="programming", level="intermediate",
              tags=["python", "c++"], description="From scripts to templates")  # fmt: skip
    add_skill(db, cy, title="Polish pierogi", category="cooking", level="beginner", tags=["polish"])
    add_skill(db, cy, title="Spanish grammar", level="beginner", tags=["spanish", "grammar"])
    add_skill(db, cy, kind="learn", title="Mandarin", category="languages")
    add_skill(
        db, viewer, title="Spanish tapas", category="cooking", level="advanced", tags=["spanish"]
    )
    add_skill(db, viewer, title="Mandarin tones", level="advanced")
    return {"viewer": viewer, "ana": ana, "bo": bo, "cy": cy}


def test_lists_other_peoples_teach_skills(db: Session, market: dict) -> None:
    page = marketplace.search(db, viewer=market["viewer"])
    assert page.total == 6 and len(page.items) == 6 and not page.has_next
    assert "Spanish tapas" not in _titles(page)  # the viewer's own
    assert "Mandarin" not in _titles(page)  # learn skills are not offered
    anonymous = marketplace.search(db, viewer=None)
    assert anonymous.total == 8


def test_text_search(db: Session, market: dict) -> None:
    viewer = market["viewer"]
    assert set(_titles(marketplace.search(db, viewer=viewer, q="spanish"))) == {
        "Spanish conversation",
        "Spanish grammar",
    }
    assert _titles(marketplace.search(db, viewer=viewer, q="coffee")) == ["Spanish conversation"]
    assert _titles(marketplace.search(db, viewer=viewer, q="guitar")) == ["Flamenco guitar"]
    assert _titles(marketplace.search(db, viewer=viewer, q="Kowalski pierogi")) == [
        "Polish pierogi"
    ]
    assert set(_titles(marketplace.search(db, viewer=viewer, q="spanish or mandarin"))) == {
        "Spanish conversation",
        "Spanish grammar",
        "Mandarin for travellers",
    }
    assert _titles(marketplace.search(db, viewer=viewer, q="spanish -grammar")) == [
        "Spanish conversation"
    ]
    assert _titles(marketplace.search(db, viewer=viewer, q='"spanish grammar"')) == [
        "Spanish grammar"
    ]
    # a title match ranks above a description-only match
    bo = market["bo"]
    add_skill(db, market["ana"], title="Scripting basics", category="programming",
              description="python python python")  # fmt: skip
    ranked = _titles(marketplace.search(db, viewer=viewer, q="templates"))
    assert ranked == ["Python and C++ programming"]
    assert bo.id is not None


@pytest.mark.parametrize(
    "q",
    ['C++', '"', '""', "AND", "OR", "NOT", "NEAR(a b)", "*", "-", "--", "title:spanish",
     "'; DROP TABLE skills; --", "^spanish", "spanish AND", "((", "\\", "%", "_", "🙂",
     "x" * 500, "a\x00b"],
)  # fmt: skip
def test_odd_text_never_breaks_the_query(db: Session, market: dict, q: str) -> None:
    page = marketplace.search(db, viewer=market["viewer"], q=q)
    assert page.total >= 0


def test_cplusplus_finds_the_programming_skill(db: Session, market: dict) -> None:
    page = marketplace.search(db, viewer=market["viewer"], q="C++ templates")
    assert _titles(page) == ["Python and C++ programming"]


def test_filters(db: Session, market: dict) -> None:
    viewer = market["viewer"]
    assert set(_titles(marketplace.search(db, viewer=viewer, category="languages"))) == {
        "Spanish conversation", "Mandarin for travellers", "Spanish grammar",
    }  # fmt: skip
    assert marketplace.search(db, viewer=viewer, category="nope").total == 0
    assert set(_titles(marketplace.search(db, viewer=viewer, level="beginner"))) == {
        "Mandarin for travellers", "Polish pierogi", "Spanish grammar",
    }  # fmt: skip
    assert set(_titles(marketplace.search(db, viewer=viewer, tags=["#Spanish"]))) == {
        "Spanish conversation", "Spanish grammar",
    }  # fmt: skip
    assert _titles(marketplace.search(db, viewer=viewer, tags=["spanish", "grammar"])) == [
        "Spanish grammar"
    ]
    assert set(_titles(marketplace.search(db, viewer=viewer, language="polish"))) == {
        "Polish pierogi", "Spanish grammar",
    }  # fmt: skip
    combined = marketplace.search(
        db, viewer=viewer, q="spanish", category="languages", level="advanced", language="English"
    )
    assert _titles(combined) == ["Spanish conversation"]


def test_hidden_teachers_and_skills(db: Session, market: dict) -> None:
    viewer = market["viewer"]
    admin = make_user(db, role=Role.ADMIN)
    accounts.do_set_status(db, actor=admin, user_id=market["cy"].id, status=UserStatus.SUSPENDED)
    newbie = make_user(db, onboarded=False)
    add_skill(db, newbie, title="Spanish slang")
    skill = next(s for s in profiles.skills_of(db, user_id=market["ana"].id) if s.kind == "teach")
    profiles.do_remove_skill(db, actor=market["ana"], skill_id=skill.id)
    db.commit()
    titles = _titles(marketplace.search(db, viewer=viewer, q="spanish"))
    assert titles == []
    assert marketplace.search(db, viewer=viewer).total == 3


def test_free_when_i_am(db: Session, market: dict) -> None:
    viewer, ana, bo = market["viewer"], market["ana"], market["bo"]
    nothing = marketplace.search(db, viewer=viewer, free_when_i_am=True)
    assert nothing.total == 0 and "availability" in nothing.notice
    set_windows(db, viewer, [(0, "18:00", "20:00")])  # Berlin evening
    set_windows(db, ana, [(0, "19:00", "19:30")])  # Madrid, same offset: overlaps
    set_windows(db, bo, [(0, "18:00", "20:00")])  # Shanghai evening: Berlin late morning
    page = marketplace.search(db, viewer=viewer, free_when_i_am=True)
    assert {c.teacher_name for c in page.items} == {"Ana Alvarez"}
    assert page.total == 2  # both of Ana's skills
    assert marketplace.search(db, viewer=None, free_when_i_am=True).total == 0


def test_sorts(db: Session, market: dict) -> None:
    viewer = market["viewer"]
    trust.do_record_teacher_stats(
        db, user_id=market["bo"].id, rating_avg=4.9, rating_count=10, trust_score=50
    )
    trust.do_record_teacher_stats(
        db, user_id=market["cy"].id, rating_avg=4.2, rating_count=3, trust_score=95
    )
    db.commit()
    by_rating = marketplace.search(db, viewer=viewer, sort="rating")
    assert [c.teacher_name for c in by_rating.items][:2] == ["Bo Chen", "Bo Chen"]
    assert by_rating.items[0].rating_avg == 4.9 and by_rating.items[-1].rating_avg is None
    by_trust = marketplace.search(db, viewer=viewer, sort="trust")
    assert [c.teacher_name for c in by_trust.items][:4] == ["Cy Kowalski"] * 2 + ["Bo Chen"] * 2
    newest = marketplace.search(db, viewer=viewer, sort="newest")
    assert newest.items[0].title == "Spanish grammar"
    assert newest.items[-1].title == "Spanish conversation"
    relevance = marketplace.search(db, viewer=viewer, q="spanish", sort="relevance")
    assert relevance.total == 2


def test_pagination(db: Session, market: dict) -> None:
    viewer = market["viewer"]
    first = marketplace.search(db, viewer=viewer, sort="newest", per_page=4)
    second = marketplace.search(db, viewer=viewer, sort="newest", per_page=4, page=2)
    assert (first.total, len(first.items), first.has_next) == (6, 4, True)
    assert (len(second.items), second.has_next) == (2, False)
    assert not set(_titles(first)) & set(_titles(second))
    beyond = marketplace.search(db, viewer=viewer, page=99, per_page=4)
    assert beyond.items == [] and beyond.total == 6


def test_cards_carry_what_the_ui_shows(db: Session, market: dict) -> None:
    viewer, cy = market["viewer"], market["cy"]
    set_windows(db, cy, [(d, "10:00", "12:00") for d in range(7)])
    now = datetime(2027, 5, 3, 12, tzinfo=UTC)
    page = marketplace.search(db, viewer=viewer, q="grammar", now=now)
    card = page.items[0]
    assert card.teacher_name == "Cy Kowalski" and card.handle == cy.handle
    assert card.category_slug == "languages" and card.category_name == "Languages"
    assert card.tags == ["spanish", "grammar"] and card.level == "beginner"
    assert card.languages == ["English", "Polish"]
    assert (card.rating_avg, card.rating_count, card.trust_score) == (None, 0, None)
    assert card.mutual_match  # Cy wants Mandarin, which the viewer teaches
    assert card.next_free_slot == datetime(2027, 5, 3, 14, tzinfo=UTC)  # 10:00 New York (EDT)
    other = marketplace.search(db, viewer=viewer, q="guitar", now=now).items[0]
    assert not other.mutual_match and other.next_free_slot is None


def test_search_params_round_trip_and_forgiveness() -> None:
    params = SearchParams(
        q="spanish tapas",
        category="cooking",
        level="advanced",
        tags=("spanish", "tapas"),
        language="Spanish",
        free_when_i_am=True,
        sort="rating",
        page=3,
        per_page=12,
    )
    assert SearchParams.from_query(params.to_query()) == params
    assert SearchParams().to_query() == {}
    messy = SearchParams.from_query(
        {"q": "  a   b ", "level": "guru", "sort": "cheapest", "page": "-4", "per_page": "x",
         "lang": "KLINGON", "tags": "#A, a,,b", "free": "maybe", "category": "Music"}
    )  # fmt: skip
    assert messy == SearchParams(q="a b", category="music", tags=("a", "b"))
    assert SearchParams.from_query({"page": "99999"}).page == marketplace.MAX_PAGE


def test_count_is_capped(db: Session, market: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marketplace, "COUNT_CAP", 4)
    page = marketplace.search(db, viewer=market["viewer"], per_page=2)
    assert (page.total, page.total_capped, page.total_label) == (4, True, "4+")
    exact = marketplace.search(db, viewer=market["viewer"], q="spanish")
    assert (exact.total, exact.total_capped, exact.total_label) == (2, False, "2")
