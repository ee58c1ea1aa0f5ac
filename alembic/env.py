"""Alembic environment: BARTR's own metadata and engine (SQLite uses batch mode)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import bartr.models  # noqa: F401
from bartr.db import get_engine, make_engine
from bartr.services.search_index import include_object

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.config.attributes.get("database_url")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url) if url else get_engine()
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
