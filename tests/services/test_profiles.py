from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from bartr.models.accounts import Role, User, UserStatus
from bartr.models.profiles import Category, Skill, SkillTerm
from bartr.services import accounts, categories, marketplace, profiles, trust
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tests.factories import make_user
from tests.services.profile_factories import add_skill, seed


@pytest.fixture(autouse=True)
def _categories(db: Session) -> None:
    seed(db)


def _fresh(db: Session, user_id: int) -> User:
    """The row as another connection sees it (what was committed)."""
    with Session(db.get_bind()) as other:
        row = other.get(User, user_id)
        assert row is not None
        return row


def _skill_count(db: Session, user_id: int) -> int:
    with Session(db.get_bind()) as other:
        return other.exec(
            select(func.count()).select_from(Skill).where(Skill.user_id == user_id)
        ).one()


# --- profile ---------------------------------------------------------------------


def test_update_profile_keeps_html_as_text(db: Session) -> None:
    user = make_user(db)
    profiles.do_update_profile(
        db,
        actor=user,
        display_name="  Maya <b>Lopez</b> ",
        bio="<script>alert(1)</script>\nhi",
        languages="spanish, English",
        timezone="America/Mexico_City",
    )
    db.commit()
    row = _fresh(db, user.id)
    assert row.display_name == "Maya <b>Lopez</b>"
    assert row.bio == "<script>alert(1)</script>\nhi"
    assert row.languages == ["Spanish", "English"]
    assert row.timezone == "America/Mexico_City"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bio": "x" * 2001}, "bio"),
        ({"display_name": "n" * 61}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"languages": ["Klingon"]}, "languages"),
    ],
)
def test_update_profile_refuses_bad_input_and_saves_nothing(
    db: Session, changes: dict, field: str
) -> None:
    user = make_user(db, name="Ana Original")
    user_id = user.id
    args = {"display_name": "Ana New", "bio": "new", "languages": ["English"], "timezone": "UTC"}
    args.update(changes)
    with pytest.raises(ValidationFailed) as err:
        profiles.do_update_profile(db, actor=user, **args)
    db.rollback()
    assert err.value.field == field
    row = _fresh(db, user_id)
    assert row.display_name == "Ana Original"
    assert row.timezone == "Europe/Berlin"


# --- skills ----------------------------------------------------------------------


def test_add_skill_normalises_tags_and_indexes_terms(db: Session) -> None:
    user = make_user(db)
    view = add_skill(
        db,
        user,
        title="Jazz Guitar for beginners",
        category="music",
        tags=["#Guitar", "  Music   Theory ", "guitar", ""],
        description="<i>Fun</i>",
    )
    assert view.tags == ["guitar", "music theory"]
    assert view.category_slug == "music" and view.category_name == "Music"
    assert view.description == "<i>Fun</i>"
    terms = set(
        db.exec(select(SkillTerm.term, SkillTerm.is_tag).where(SkillTerm.skill_id == view.id)).all()
    )
    assert ("guitar", True) in terms and ("music theory", True) in terms
    assert {("jazz", False), ("guitar", False), ("music", False), ("theory", False)} <= terms
    assert ("beginners", False) not in terms and ("for", False) not in terms


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": "astrology"}, "category"),
        ({"title": "ab"}, "title"),
        ({"title": "x" * 81}, "title"),
        ({"description": "d" * 2001}, "description"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"tags": ["x" * 31]}, "tags"),
        ({"level": "guru"}, "level"),
        ({"kind": "sell"}, "kind"),
    ],
)
def test_add_skill_validation_writes_nothing(db: Session, kwargs: dict, field: str) -> None:
    user = make_user(db)
    user_id = user.id
    with pytest.raises(ValidationFailed) as err:
        add_skill(db, user, **kwargs)
    db.rollback()
    assert err.value.field == field
    assert _skill_count(db, user_id) == 0


def test_at_most_twenty_skills_per_kind_and_no_duplicates(db: Session) -> None:
    user = make_user(db)
    for i in range(profiles.MAX_SKILLS_PER_KIND):
        profiles.do_add_skill(
            db,
            actor=user,
            kind="teach",
            category_slug="academics",
            title=f"Topic {i}",
            level="beginner",
        )
    db.commit()
    with pytest.raises(ValidationFailed):
        add_skill(db, user, title="One too many")
    db.rollback()
    add_skill(db, user, kind="learn", title="Topic 1", category="academics")  # other kind: fine
    with pytest.raises(Conflict):
        add_skill(db, user, kind="learn", title="topic 1", category="academics")


def test_only_the_owner_changes_a_skill(db: Session) -> None:
    owner, other = make_user(db), make_user(db)
    skill = add_skill(db, owner, title="Italian cooking", category="cooking")
    with pytest.raises(NotAllowed):
        profiles.do_update_skill(
            db,
            actor=other,
            skill_id=skill.id,
            category_slug="cooking",
            title="Hacked",
            level="expert",
        )
    with pytest.raises(NotAllowed):
        profiles.do_remove_skill(db, actor=other, skill_id=skill.id)
    db.rollback()
    updated = profiles.do_update_skill(
        db,
        actor=owner,
        skill_id=skill.id,
        category_slug="cooking",
        title="Pasta from scratch",
        level="advanced",
        tags=["pasta"],
    )
    db.commit()
    assert updated.title == "Pasta from scratch" and updated.tags == ["pasta"]
    profiles.do_remove_skill(db, actor=owner, skill_id=skill.id)
    db.commit()
    assert profiles.skills_of(db, user_id=owner.id) == []
    assert db.exec(select(SkillTerm).where(SkillTerm.skill_id == skill.id)).all() == []
    with pytest.raises(NotFound):
        profiles.do_remove_skill(db, actor=owner, skill_id=skill.id)


def test_suggest_tags_most_used_first(db: Session) -> None:
    a, b, c = make_user(db), make_user(db), make_user(db)
    add_skill(db, a, title="Spanish A", tags=["spanish", "speaking"])
    add_skill(db, b, title="Spanish B", tags=["spanish"])
    add_skill(db, c, title="Spanish C", tags=["spanish", "spelling"])
    assert profiles.suggest_tags(db, "#SP") == ["spanish", "speaking", "spelling"]
    assert profiles.suggest_tags(db, "sp", limit=1) == ["spanish"]
    assert profiles.suggest_tags(db, "") == []
    assert profiles.suggest_tags(db, "%") == []


# --- categories ------------------------------------------------------------------


def test_seed_categories_is_idempotent(db: Session) -> None:
    assert categories.seed_categories(db) == 0
    names = [c.name for c in categories.list_categories(db)]
    assert names[0] == "Languages" and names[-1] == "Other" and len(names) == 12


def test_category_admin_functions(db: Session) -> None:
    member = make_user(db)
    admin = make_user(db, role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        categories.do_create_category(db, actor=member, name="Gardening")
    created = categories.do_create_category(db, actor=admin, name="Gardening")
    db.commit()
    assert created.slug == "gardening"
    with pytest.raises(Conflict):
        categories.do_create_category(db, actor=admin, name="gardening")
    db.rollback()
    with pytest.raises(NotAllowed):
        categories.do_rename_category(db, actor=member, category_id=created.id, name="X")
    renamed = categories.do_rename_category(db, actor=admin, category_id=created.id, name="Garden")
    assert renamed.slug == "gardening" and renamed.name == "Garden"
    user = make_user(db)
    add_skill(db, user, category="gardening", title="Tomatoes")
    with pytest.raises(NotAllowed):
        categories.do_set_category_active(db, actor=member, category_id=created.id, active=False)
    categories.do_set_category_active(db, actor=admin, category_id=created.id, active=False)
    db.commit()
    assert "gardening" not in {c.slug for c in categories.list_categories(db)}
    with pytest.raises(ValidationFailed) as err:
        add_skill(db, user, category="gardening", title="Roses")
    assert err.value.field == "category"
    db.rollback()
    # an existing skill in a retired category can still be edited
    skill = profiles.skills_of(db, user_id=user.id)[0]
    profiles.do_update_skill(
        db,
        actor=user,
        skill_id=skill.id,
        category_slug="gardening",
        title="Tomatoes!",
        level="beginner",
    )
    assert db.exec(select(func.count()).select_from(Category)).one() == 13


# --- stats, public profile ---------------------------------------------------------


def test_stats_default_to_new_and_copy_to_skills(db: Session) -> None:
    user = make_user(db)
    skill = add_skill(db, user)
    assert trust.stats_for(db, user.id) == trust.TeacherStatsView(None, 0, None)
    trust.do_record_teacher_stats(
        db, user_id=user.id, rating_avg=4.9, rating_count=12, trust_score=91, sessions_taught=12
    )
    db.commit()
    row = db.get(Skill, skill.id)
    db.refresh(row)
    assert (row.sort_rating, row.sort_rating_count, row.sort_trust) == (4.9, 12, 91)
    later = add_skill(db, user, title="Catalan")
    assert db.get(Skill, later.id).sort_trust == 91
    view = profiles.public_profile(db, handle=user.handle, viewer=None)
    assert view.rating_avg == 4.9 and view.trust_score == 91
    assert "Trusted Teacher" in view.badges


def test_public_profile(db: Session) -> None:
    owner = make_user(
        db, name="Lena Berg", timezone="Europe/Berlin", languages=["German", "English"]
    )
    viewer = make_user(db, timezone="America/New_York")
    add_skill(db, owner, title="German grammar")
    add_skill(db, owner, kind="learn", title="Piano", category="music")
    view = profiles.public_profile(db, handle=owner.handle.upper(), viewer=viewer)
    assert view.display_name == "Lena Berg" and view.handle == owner.handle
    assert [s.title for s in view.teaches] == ["German grammar"]
    assert [s.title for s in view.learns] == ["Piano"]
    assert view.languages == ["German", "English"]
    assert view.local_time.tzinfo is not None and view.timezone == "Europe/Berlin"
    assert view.viewer_timezone == "America/New_York" and len(view.availability) == 7
    assert (view.rating_avg, view.rating_count, view.trust_score) == (None, 0, None)
    assert "New member" in view.badges and not view.is_self
    with pytest.raises(NotFound):
        profiles.public_profile(db, handle="nobody-here", viewer=viewer)
    admin = make_user(db, role=Role.ADMIN)
    accounts.do_set_status(db, actor=admin, user_id=owner.id, status=UserStatus.SUSPENDED)
    db.commit()
    with pytest.raises(NotFound):
        profiles.public_profile(db, handle=owner.handle, viewer=viewer)


def test_renaming_updates_the_search_index(db: Session) -> None:
    teacher, viewer = make_user(db, name="Zorro Unique"), make_user(db)
    add_skill(db, teacher, title="Fencing", category="fitness")
    assert marketplace.search(db, viewer=viewer, q="zorro").total == 1
    profiles.do_update_profile(
        db,
        actor=teacher,
        display_name="Quixote Knight",
        bio="",
        languages=["English"],
        timezone="Europe/Berlin",
    )
    db.commit()
    assert marketplace.search(db, viewer=viewer, q="zorro").total == 0
    assert marketplace.search(db, viewer=viewer, q="quixote").total == 1


def test_reindex_skill_terms_rebuilds(db: Session) -> None:
    user = make_user(db)
    skill = add_skill(db, user, title="Welsh", tags=["cymraeg"])
    db.exec(select(SkillTerm))
    from sqlalchemy import delete

    db.exec(delete(SkillTerm))
    db.commit()
    assert profiles.reindex_skill_terms(db) == 1
    db.commit()
    terms = db.exec(select(SkillTerm.term).where(col(SkillTerm.skill_id) == skill.id)).all()
    assert set(terms) == {"welsh", "cymraeg"}
