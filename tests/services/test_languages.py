"""Language choices: normalised, bounded, toggled."""

from __future__ import annotations

import pytest

from bartr.services.errors import ValidationFailed
from bartr.services.languages import clean_languages, toggled


def test_clean_languages_normalises_case_and_duplicates() -> None:
    assert clean_languages(["english", " Spanish", "ENGLISH"]) == ["English", "Spanish"]
    assert clean_languages("french,german") == ["French", "German"]


def test_unknown_or_missing_languages_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        clean_languages(["Klingon"])
    with pytest.raises(ValidationFailed):
        clean_languages([])


def test_toggling_adds_removes_and_ignores_unknown_names() -> None:
    assert toggled([], "English") == ["English"]
    assert toggled(["English"], "English") == []
    assert toggled(["English"], "<script>") == ["English"]
    full = [
        "English",
        "French",
        "German",
        "Dutch",
        "Greek",
        "Hindi",
        "Thai",
        "Tamil",
        "Urdu",
        "Malay",
    ]
    assert toggled(full, "Spanish") == full
