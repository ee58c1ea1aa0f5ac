"""The benches' own measuring tools: the SQL floor replays what a call really sent, and a
page's static copy keeps its content but none of its scripts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bartr.db import make_engine
from bench import sql_floor
from bench.page_content import static_copy


def test_sql_floor_records_the_statements_and_replays_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'floor.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))
    with sql_floor.capture(engine) as statements, engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM t WHERE id > :low"), {"low": 0}).all()
    assert [r[0] for r in rows] == ["a", "b"]
    assert [s for s, _ in statements if "SELECT name FROM t" in s]
    # Outside the block nothing more is recorded.
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert not [s for s, _ in statements if s == "SELECT 1"]
    assert sql_floor.replay(engine, statements) >= 0
    engine.dispose()


def test_replay_runs_the_statements_for_real(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'floor.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    broken = [("SELECT missing_column FROM t", None)]
    try:
        sql_floor.replay(engine, broken)
    except Exception as exc:
        assert "missing_column" in str(exc)
    else:
        raise AssertionError("a broken statement replayed without an error")
    engine.dispose()


def test_static_copy_keeps_the_content_and_drops_the_scripts() -> None:
    html = (
        '<html><head><link rel="modulepreload" href="/assets/a.js">'
        '<link rel="stylesheet" href="/assets/s.css"><style>.x{}</style>'
        '<script type="module">import "/assets/a.js";</script></head>'
        "<body><main><h1>Marketplace</h1></main><script>window.x = 1;</script></body></html>"
    )
    copy = static_copy(html)
    assert "<script" not in copy
    assert "modulepreload" not in copy
    assert '<link rel="stylesheet" href="/assets/s.css">' in copy
    assert "<style>.x{}</style>" in copy
    assert "<h1>Marketplace</h1>" in copy
