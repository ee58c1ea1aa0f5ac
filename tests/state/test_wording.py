"""The wording every page shares: one copy of each helper (issue 18, item 5)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bartr.state import wording

NOW = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minor", "text"),
    [
        (60, "1 credit"),
        (-60, "−1 credit"),  # a copy once said "−1 credits": a debit of one credit is singular
        (0, "0 credits"),
        (90, "1.5 credits"),
        (-90, "−1.5 credits"),
        (30, "0.5 credits"),
        (120, "2 credits"),
    ],
)
def test_credits_phrase_is_singular_only_for_exactly_one_credit(minor: int, text: str) -> None:
    assert wording.credits_phrase(minor) == text


def test_signed_credits_phrase_keeps_the_plural_rule() -> None:
    assert wording.signed_credits_phrase(60) == "+1 credit"
    assert wording.signed_credits_phrase(-60) == "−1 credit"
    assert wording.signed_credits_phrase(-45) == "−0.75 credits"


@pytest.mark.parametrize("name", ["", None, "Not/AZone", "../../etc/passwd", "\x00"])
def test_an_unknown_zone_reads_as_utc_instead_of_failing(name: str | None) -> None:
    assert wording.zone_of(name) == ZoneInfo("UTC")
    assert wording.when_label(NOW, name or "", now=NOW) == "Mon 4 Mar, 12:00"


def test_a_zone_already_looked_up_is_used_as_is() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert wording.zone_of(tokyo) is tokyo
    assert wording.stamp_label(NOW, tokyo) == "4 Mar 2030, 21:00"
    assert wording.date_label(NOW, "Asia/Tokyo") == "4 Mar 2030"
    assert wording.short_day_label(NOW, "America/New_York") == "4 Mar"
    assert wording.clock_label(NOW, "America/New_York") == "07:00"
    assert wording.day_label(NOW, "Asia/Tokyo") == "Mon 4 Mar"
