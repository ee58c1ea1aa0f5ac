"""Skill categories: the seeded list, and the admin's create / rename / (de)activate.

A deactivated category is no longer offered for new skills nor listed as a filter;
existing skills in it stay visible so nobody's profile silently loses content.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from bartr.models.accounts import User
from bartr.models.profiles import Category
from bartr.services import audit
from bartr.services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from bartr.services.validation import clean_text

SEEDED: tuple[tuple[str, str], ...] = (
    ("languages", "Languages"),
    ("music", "Music"),
    ("programming", "Programming"),
    ("design", "Design"),
    ("cooking", "Cooking"),
    ("fitness", "Fitness"),
    ("crafts", "Crafts"),
    ("business", "Business"),
    ("academics", "Academics"),
    ("wellbeing", "Wellbeing"),
    ("photography", "Photography"),
    ("other", "Other"),
)


@dataclass(frozen=True)
class CategoryView:
    id: int
    slug: str
    name: str
    position: int
    active: bool


def _view(c: Category) -> CategoryView:
    return CategoryView(
        id=c.id or 0, slug=c.slug, name=c.name, position=c.position, active=c.active
    )


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40]


def seed_categories(db: Session) -> int:
    """Insert the standard categories that are missing; returns how many were added."""
    existing = set(db.exec(select(Category.slug)).all())
    added = 0
    for position, (slug, name) in enumerate(SEEDED):
        if slug not in existing:
            db.add(Category(slug=slug, name=name, position=position * 10, active=True))
            added += 1
    db.flush()
    return added


def list_categories(db: Session, *, include_inactive: bool = False) -> list[CategoryView]:
    stmt = select(Category).order_by(col(Category.position), col(Category.name))
    if not include_inactive:
        stmt = stmt.where(col(Category.active).is_(True))
    return [_view(c) for c in db.exec(stmt).all()]


def get_by_slug(db: Session, slug: str | None, *, active_only: bool = True) -> Category:
    """The category for a slug; ValidationFailed(field='category') when unknown or retired."""
    key = (slug or "").strip().lower()[:40]
    category = db.exec(select(Category).where(Category.slug == key)).first() if key else None
    if category is None or (active_only and not category.active):
        raise ValidationFailed("Choose a category from the list.", field="category")
    return category


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only admins can change categories.")


def _clean_name(name: str) -> str:
    return clean_text(name, field="name", label="Category name", max_length=60)


def do_create_category(
    db: Session, *, actor: User, name: str, slug: str | None = None
) -> CategoryView:
    _require_admin(actor)
    clean = _clean_name(name)
    key = slugify(slug or clean)
    if not key:
        raise ValidationFailed("Use letters or digits in the name.", field="name")
    if db.exec(select(Category.id).where(Category.slug == key)).first() is not None:
        raise Conflict("A category with this name already exists.", field="name")
    last = db.exec(select(func.max(Category.position))).one()
    category = Category(slug=key, name=clean, position=(last or 0) + 10, active=True)
    db.add(category)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="category.create",
        target_kind="category",
        target_id=category.id,
        note=clean,
        data={"slug": key},
    )
    return _view(category)


def do_rename_category(db: Session, *, actor: User, category_id: int, name: str) -> CategoryView:
    """Rename; the slug (used in URLs) stays so old links keep working."""
    _require_admin(actor)
    category = db.get(Category, category_id)
    if category is None:
        raise NotFound("No such category.")
    old_name, category.name = category.name, _clean_name(name)
    db.add(category)
    db.flush()
    if category.name != old_name:
        audit.record(
            db,
            actor=actor,
            action="category.rename",
            target_kind="category",
            target_id=category.id,
            note=f"{old_name} → {category.name}",
            data={"from": old_name, "to": category.name},
        )
    return _view(category)


def do_set_category_active(
    db: Session, *, actor: User, category_id: int, active: bool
) -> CategoryView:
    _require_admin(actor)
    category = db.get(Category, category_id)
    if category is None:
        raise NotFound("No such category.")
    changed = category.active != active
    category.active = active
    db.add(category)
    db.flush()
    if changed:
        audit.record(
            db,
            actor=actor,
            action="category.activate" if active else "category.deactivate",
            target_kind="category",
            target_id=category.id,
            note=category.name,
        )
    return _view(category)
