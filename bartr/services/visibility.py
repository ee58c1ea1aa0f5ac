"""Who the marketplace, recommendations and the search index may show: "visible members".

A member is visible when their account is active and they finished onboarding. This is the
one definition; blocking and suspension will extend it here, and every reader follows:
- `is_visible(user)` for one loaded member (Python),
- `visible_conditions()` as SQLAlchemy conditions on `User` (WHERE / semi-joins),
- `HIDDEN_USER_SQL` the negation written literally, for raw SQL and for PostgreSQL's partial
  index `ix_users_hidden` (a bound parameter would not match the index predicate), and
  `hidden_user_exists(column)` / `visible_user_exists(column)` as correlated EXISTS clauses.
`tests/services/test_visibility.py` checks that the three spellings agree on every kind of
member, on both databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from bartr.models.accounts import User, UserStatus

# Written literally so PostgreSQL matches the partial index ix_users_hidden.
HIDDEN_USER_SQL = "(users.status <> 'active' OR users.onboarded_at IS NULL)"


def is_visible(user: User | None) -> bool:
    """May other members find this member (marketplace, recommendations, profiles' lists)?"""
    return user is not None and user.status == UserStatus.ACTIVE and user.onboarded_at is not None


def visible_conditions() -> list[Any]:
    """Conditions on `User` that keep visible members only."""
    return [User.status == UserStatus.ACTIVE, col(User.onboarded_at).is_not(None)]


def visible_user_exists(user_id: Any) -> Any:
    """EXISTS (a visible member with id = `user_id`): a primary-key probe per row."""
    return select(User.id).where(User.id == user_id, *visible_conditions()).exists()


def hidden_user_exists(user_id: Any) -> Any:
    """EXISTS (a hidden member with id = `user_id`), through the partial index on PostgreSQL.

    `~hidden_user_exists(...)` is the anti-join the marketplace uses there: cheaper than
    probing every visible member when hidden ones are few.
    """
    return select(User.id).where(User.id == user_id, text(HIDDEN_USER_SQL)).exists()
