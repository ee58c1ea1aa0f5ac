"""Badges with their written criteria as a tooltip, and the trust score chip."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr import routes
from bartr.services.trust import BADGE_CRITERIA

_ICONS = {"Trusted Teacher": "shield-check", "Rising Mentor": "sprout", "New member": "sparkles"}


def badge_chip(name: Any) -> rx.Component:
    """A badge; hovering (or focusing) it says why the member has it."""
    why = rx.match(name, *[(badge, text) for badge, text in BADGE_CRITERIA.items()], "")
    icon = rx.match(
        name,
        *[(badge, rx.icon(icon, size=12)) for badge, icon in _ICONS.items()],
        rx.fragment(),
    )
    badge = rx.badge(icon, name, variant="soft", radius="full", size="1", color_scheme="amber")
    # A focusable wrapper: keyboard users get the tooltip too.
    return rx.tooltip(rx.el.span(badge, tab_index=0, display="inline-flex"), content=why)


def trust_chip(score: Any, breakdown: Any, *, size: str = "1") -> rx.Component:
    """'Trust 86'; members see the one-line breakdown on hover."""
    chip = rx.badge(
        rx.icon("shield-check", size=12),
        "Trust ",
        score,
        color_scheme="green",
        variant="soft",
        radius="full",
        size=size,
    )
    return rx.cond(
        score != "",
        rx.tooltip(
            rx.link(chip, href=routes.TRUST, underline="none"),
            content=rx.cond(breakdown != "", breakdown, "Trust score out of 100: how it works"),
        ),
    )
