"""Migrations build exactly the models (no drift) and go down and up again, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import bartr.models  # noqa: F401
from bartr import migrations
from bartr.db import make_engine
from bartr.services.search_index import include_object


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    from tests.conftest import PG_ADMIN_URL

    request.getfixturevalue("pg_url")  # fails under CI when PostgreSQL is missing
    name = f"bartr_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _diff(engine: Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(ctx, SQLModel.metadata)


def test_upgrade_matches_models_and_round_trips(empty_db_url: str) -> None:
    migrations.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        assert _diff(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert {"users", "ledger_entries", "skills", "skill_sessions"} <= tables

        migrations.downgrade(empty_db_url, "base")
        engine.dispose()
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set()

        migrations.upgrade(empty_db_url)
        engine.dispose()
        assert _diff(engine) == []
    finally:
        engine.dispose()
