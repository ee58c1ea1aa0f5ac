from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bartr.services import marketplace, search_index
from bartr.services.search_index import fts5_expression
from tests.factories import make_user
from tests.services.profile_factories import add_skill, seed


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("spanish guitar", '"spanish" AND "guitar"'),
        ('"jazz guitar" lessons', '"jazz guitar" AND "lessons"'),
        ("spanish or french", '("spanish" OR "french")'),
        ("spanish -grammar", '("spanish") NOT "grammar"'),
        ("C++", '"C"'),
        ("NEAR(a b) AND x", '"NEAR a" AND "b" AND "AND" AND "x"'),
        ("-only", None),
        ("***", None),
        ("", None),
        ('"unclosed', '"unclosed"'),
    ],
)
def test_fts5_expression(q: str, expected: str | None) -> None:
    assert fts5_expression(q) == expected


@pytest.mark.parametrize(
    "q", ['a"b', "x:y", "^a", "a*", "(a", "a)", "NOT", "and or not", "' OR 1=1 --", "\x00"]
)
def test_fts5_expression_is_always_valid_syntax(q: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(a)")
    conn.execute("insert into t values ('a b and or not x y')")
    expression = fts5_expression(q)
    if expression is not None:
        conn.execute("select * from t where t match ?", (expression,)).fetchall()


def test_install_is_idempotent_and_rebuild_restores(engine: Engine, db: Session) -> None:
    seed(db)
    teacher, viewer = make_user(db), make_user(db)
    add_skill(db, teacher, title="Ukulele strumming", category="music")
    with engine.begin() as conn:
        search_index.install_search_ddl(conn)
        search_index.install_search_ddl(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DELETE FROM skill_fts")
        else:
            conn.exec_driver_sql("UPDATE skills SET search_vector = NULL")
    assert marketplace.search(db, viewer=viewer, q="ukulele").total == 0
    db.rollback()  # end the read so the next write can begin on SQLite
    with engine.begin() as conn:
        search_index.rebuild_search_index(conn)
    assert marketplace.search(db, viewer=viewer, q="ukulele").total == 1


def test_learn_skills_are_not_indexed(engine: Engine, db: Session) -> None:
    seed(db)
    user = make_user(db)
    add_skill(db, user, kind="learn", title="Zither basics", category="music")
    assert marketplace.search(db, viewer=None, q="zither").total == 0


def test_include_object_hides_managed_objects() -> None:
    assert not search_index.include_object(None, "skill_fts_data", "table", True, None)
    assert not search_index.include_object(None, "ix_skills_search_vector", "index", True, None)
    assert search_index.include_object(None, "skills", "table", True, None)
