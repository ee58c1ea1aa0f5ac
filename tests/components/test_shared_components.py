"""Shared components (issue 18, item 5): one section card, one set of skill chips, one slot
picker and one policy dialog, used by several pages. Checked on the JSX they compile to."""

from __future__ import annotations

import reflex as rx

from bartr.components.chips import skill_chips
from bartr.components.policy_dialog import policy_dialog
from bartr.components.section_card import section_card, section_header
from bartr.components.slot_picker import slot_picker
from bartr.state.session_request import SessionRequestState as S


def test_section_card_has_its_heading_level_description_icon_and_id() -> None:
    jsx = str(
        section_card("Buy credits", rx.text("body"), description="Top up", icon="coins", id="packs")
    )
    assert 'as:"h2"' in jsx and '"Buy credits"' in jsx and '"Top up"' in jsx
    assert "LucideCoins" in jsx and 'id:"packs"' in jsx and '"body"' in jsx


def test_section_card_without_icon_or_description_is_just_a_heading() -> None:
    jsx = str(section_card("What", rx.text("body"), level="h3"))
    assert 'as:"h3"' in jsx and '"What"' in jsx
    assert "Lucide" not in jsx and 'color"] : "var(--gray-11)"' not in jsx


def test_section_header_keeps_every_part_of_a_description() -> None:
    jsx = str(section_header("gift", "Invite friends", "You earn ", rx.Var.create("2"), " credits"))
    assert '"You earn "' in jsx and '" credits"' in jsx and "LucideGift" in jsx


def test_skill_chips_level_in_accent_category_in_gray_tags_outlined() -> None:
    level, category = rx.Var.create("Beginner"), rx.Var.create("Music")
    jsx = str(skill_chips(level, category, rx.Var.create(["jazz", "piano"])))
    assert jsx.index('"Beginner"') < jsx.index('"Music"')
    assert '{radius:"full",size:"1",variant:"soft"},"Beginner"' in jsx  # accent: no colour
    assert 'color:"gray",radius:"full",size:"1",variant:"soft"},"Music"' in jsx
    assert 'variant:"outline"' in jsx and 'wrap:"wrap"' in jsx
    assert 'variant:"outline"' not in str(skill_chips(level, category))  # no tags, no tag chips


def test_slot_picker_and_policy_dialog_render_from_state_vars() -> None:
    picker = str(
        slot_picker(
            days=S.days,
            day=S.day,
            day_slots=S.day_slots,
            chosen_isos=S.chosen_isos,
            on_pick_day=S.pick_day,
            on_toggle=S.toggle,
            zone_label=S.zone_label,
            empty_text="No free times",
        )
    )
    assert (
        "Days with free times" in picker and "Start times" in picker and "No free times" in picker
    )
    dialog = str(policy_dialog(S.policy, trigger_text="Read the whole policy"))
    assert "Read the whole policy" in dialog and "How credits and cancellations work" in dialog
