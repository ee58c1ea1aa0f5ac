"""`python -m bartr.cli purge-deleted --days N` and the daily run in the background loop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bartr import background, cli
from bartr.adapters import registry
from bartr.models.base import utcnow
from bartr.services import course_items
from tests.doubles import MemoryStorage
from tests.services.course_factories import MP4, make_world


def test_purge_deleted_command_and_daily_run(
    sqlite_engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryStorage()
    registry.override("storage", store)
    try:
        with Session(sqlite_engine, expire_on_commit=False) as db:
            world = make_world(db, store)
            old = utcnow() - timedelta(days=10)
            course_items.do_delete_item(db, actor=world.teacher, item_id=world.pdf.id or 0, now=old)
            db.commit()
        assert cli.main(["purge-deleted", "--days", "30"]) == 0
        assert store.size(world.pdf.storage_key) is not None
        assert cli.main(["purge-deleted", "--days", "7"]) == 0
        assert "purged the files of 1 deleted course item(s)" in capsys.readouterr().out
        assert store.size(world.pdf.storage_key) is None
        # The background loop purges once a day with the configured age.
        with Session(sqlite_engine, expire_on_commit=False) as db:
            course_items.do_delete_item(
                db,
                actor=world.teacher,
                item_id=world.video.id or 0,
                now=utcnow() - timedelta(days=40),
            )
            db.commit()
        (job,) = [j for j in background.registered() if j.name == "course file purge"]
        assert job.every == timedelta(days=1)
        assert background.run_job(job) == {"course_files_purged": 1}
        assert store.size(world.video.storage_key) is None and MP4
    finally:
        registry.override("storage", None)
