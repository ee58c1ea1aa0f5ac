"""docs/sessions.md's transition table is the one `rules.TRANSITIONS` generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from bartr.services.sessions import docs_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "sessions.md"


def test_docs_table_matches_transitions() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert docs_table.with_table(text) == text, (
        "docs/sessions.md disagrees with TRANSITIONS; run "
        "python -m bartr.services.sessions.docs_table --write docs/sessions.md"
    )


def test_every_row_appears_once(tmp_path: Path) -> None:
    table = docs_table.render()
    for (stage, action), row in docs_table.TRANSITIONS.items():
        assert docs_table._row(row) in table, (stage, action)
    stale = tmp_path / "sessions.md"
    stale.write_text(f"x\n{docs_table.BEGIN}\n| old |\n{docs_table.END}\n", encoding="utf-8")
    assert docs_table.main(["--check", str(stale)]) == 1
    assert docs_table.main(["--write", str(stale)]) == 0
    assert docs_table.main(["--check", str(stale)]) == 0


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(ValueError):
        docs_table.with_table("no table here")
