"""Time zone names: canonical IANA names in, canonical names stored."""

from __future__ import annotations


def test_legacy_zone_names_are_stored_under_their_canonical_name() -> None:
    from bartr.services.validation import all_timezones, canonical_timezone, clean_timezone

    assert canonical_timezone("Asia/Calcutta") == "Asia/Kolkata"
    assert clean_timezone("Asia/Calcutta") == "Asia/Kolkata"
    assert clean_timezone("Europe/Kiev") == "Europe/Kyiv"
    assert clean_timezone("UTC") == "UTC"
    assert clean_timezone("Europe/Berlin") == "Europe/Berlin"
    zones = all_timezones()
    assert "Asia/Kolkata" in zones and "Asia/Calcutta" not in zones and zones[-1] == "UTC"
