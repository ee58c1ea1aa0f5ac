"""Shared fixtures.

Service tests run twice: on a fresh SQLite file and on PostgreSQL (a throw-away database
created for the run). With CI set, an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

os.environ.setdefault("BARTR_ENVIRONMENT", "test")
os.environ.setdefault("BARTR_BCRYPT_ROUNDS", "4")

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import bartr.models  # registers every table
import bartr.services.notifications  # noqa: F401  (subscribes to domain events, as the app does)
from bartr.db import make_engine, set_engine

# moto_endpoint / s3_storage: a real S3-compatible server on loopback.
pytest_plugins = ["tests.s3_server"]

PG_ADMIN_URL = os.environ.get("BARTR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> bool:
    try:
        eng = make_engine(PG_ADMIN_URL)
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test run."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} and CI is set")
        pytest.skip("PostgreSQL not reachable (set CI to make this a failure)")
    name = f"bartr_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _truncate_pg(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A clean database with the current schema, on both backends."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        eng = make_engine(f"sqlite:///{path}")
        SQLModel.metadata.create_all(eng)
        set_engine(eng)
        yield eng
        set_engine(None)
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate_pg(eng)
        set_engine(eng)
        yield eng
        set_engine(None)


@pytest.fixture
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "test.db"
    eng = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(eng)
    set_engine(eng)
    yield eng
    set_engine(None)
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging and asserting; commit what the code under test must see."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()
