"""Marketplace cards: a teachable skill, a "For you" recommendation, a swap circle."""

from __future__ import annotations

from typing import Any

import reflex as rx

from bartr.components.buttons import link_button
from bartr.components.chips import chip, skill_chips
from bartr.components.stars import stars_row
from bartr.components.trust_badges import badge_chip, trust_chip


def teacher_avatar(src: rx.Var, initials: rx.Var, name: rx.Var, size: str = "4") -> rx.Component:
    return rx.avatar(
        src=src, fallback=initials, size=size, radius="full", alt=name, flex_shrink="0"
    )


def rating(value: rx.Var, count: rx.Var, stars: Any = None) -> rx.Component:
    """'★★★★½ 4.5 (12)' or a 'New' chip for teachers without ratings yet; `stars` is the
    numeric average (the stars fill to the nearest half), `value` its label."""
    icons = (
        stars_row(stars, size=13)
        if stars is not None
        else rx.icon("star", size=14, color=rx.color("amber", 9), fill=rx.color("amber", 9))
    )
    return rx.cond(
        value != "",
        rx.hstack(
            icons,
            rx.text(value, size="2", weight="bold"),
            rx.text("(", count, ")", size="2", color=rx.color("gray", 10)),
            spacing="1",
            align="center",
            role="img",
            aria_label="Rated " + value.to_string() + " out of 5",
        ),
        chip("New", color="blue"),
    )


def _meta_line(icon: str, *children: rx.Component | rx.Var | str, **props) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14, color=rx.color("gray", 10), flex_shrink="0"),
        rx.text(*children, size="2", color=rx.color("gray", 11), trim="both"),
        spacing="2",
        align="center",
        **props,
    )


def mutual_ribbon() -> rx.Component:
    """In the chip row under the name (an absolute corner ribbon squeezed names onto two
    lines)."""
    return rx.badge(
        rx.icon("repeat-2", size=12),
        "Mutual match",
        color_scheme="green",
        variant="solid",
        radius="full",
        size="1",
        title="They want to learn something you teach: you could swap.",
    )


def skill_card(card: rx.Var, timezone: rx.Var) -> rx.Component:
    """One teachable skill. `card` is a marketplace CardVM; times are in `timezone`."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                teacher_avatar(card.avatar_url, card.initials, card.teacher),
                rx.vstack(
                    rx.link(
                        card.teacher,
                        href=card.profile_url,
                        weight="medium",
                        size="2",
                        color=rx.color("gray", 12),
                        class_name="teacher-link",
                        white_space="nowrap",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        max_width="100%",
                    ),
                    rx.hstack(
                        rx.cond(card.mutual, mutual_ribbon()),
                        rx.foreach(card.badges, badge_chip),
                        rating(card.rating, card.rating_count, card.stars),
                        trust_chip(card.trust, card.trust_line),
                        spacing="1",
                        align="center",
                        wrap="wrap",
                    ),
                    spacing="1",
                    min_width="0",
                ),
                spacing="3",
                align="center",
            ),
            rx.link(
                rx.heading(card.title, size="4", as_="h3", weight="bold", trim="start"),
                href=card.profile_url,
                color=rx.color("gray", 12),
                underline="hover",
            ),
            skill_chips(card.level, card.category, card.tags),
            rx.vstack(
                rx.cond(
                    card.languages != "",
                    _meta_line("languages", card.languages),
                ),
                rx.cond(
                    card.next_slot != "",
                    _meta_line(
                        "calendar-clock",
                        "Next free ",
                        rx.text.strong(card.next_slot, color=rx.color("gray", 12)),
                        title="Time zone: " + timezone,
                    ),
                    _meta_line("calendar-x", "No free times listed"),
                ),
                spacing="2",
            ),
            rx.spacer(),
            rx.hstack(
                link_button(
                    "Request a session",
                    href=card.request_url,
                    variant="soft",
                    flex="1",
                ),
                rx.tooltip(
                    rx.icon_button(
                        rx.link(
                            rx.icon("message-circle", size=16),
                            href=card.message_url,
                            aria_label="Message " + card.teacher,
                            class_name="message-teacher",
                        ),
                        as_child=True,
                        variant="soft",
                        color_scheme="gray",
                    ),
                    content="Message " + card.teacher,
                ),
                spacing="2",
                width="100%",
            ),
            spacing="3",
            height="100%",
        ),
        size="2",
        position="relative",
        height="100%",
        class_name="skill-card",
    )


def skill_card_skeleton() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.skeleton(rx.box(width="48px", height="48px"), border_radius="9999px"),
                rx.vstack(
                    rx.skeleton(rx.box(height="14px", width="120px")),
                    rx.skeleton(rx.box(height="12px", width="60px")),
                    spacing="2",
                ),
                spacing="3",
                align="center",
            ),
            rx.skeleton(rx.box(height="22px", width="80%")),
            rx.skeleton(rx.box(height="18px", width="60%")),
            rx.skeleton(rx.box(height="14px", width="70%")),
            rx.skeleton(rx.box(height="32px", width="100%")),
            spacing="3",
        ),
        size="2",
        aria_hidden="true",
    )


def recommendation_card(rec: rx.Var, *, fill: bool = False) -> rx.Component:
    """A "For you" partner: who, what they teach, and why we suggest them.

    In a scrolling row the card keeps a fixed width; in a grid (`fill`) it takes its
    column, like the skill cards beside it.
    """
    return rx.card(
        rx.vstack(
            rx.hstack(
                teacher_avatar(rec.avatar_url, rec.initials, rec.teacher, size="3"),
                rx.vstack(
                    rx.link(
                        rec.teacher,
                        href=rec.profile_url,
                        weight="medium",
                        size="2",
                        color=rx.color("gray", 12),
                    ),
                    rating(rec.rating, rec.rating_count, rec.stars),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    rec.mutual,
                    rx.tooltip(
                        rx.badge(
                            rx.icon("repeat-2", size=12),
                            "Mutual match",
                            color_scheme="green",
                            radius="full",
                        ),
                        content="They want to learn something you teach.",
                    ),
                ),
                spacing="3",
                align="center",
                width="100%",
            ),
            rx.text(rec.skill_title, size="3", weight="bold"),
            rx.vstack(
                rx.foreach(
                    rec.reasons,
                    lambda reason: rx.hstack(
                        rx.icon("check", size=14, color=rx.color("green", 10), flex_shrink="0"),
                        rx.text(reason, size="1", color=rx.color("gray", 11)),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="1",
            ),
            rx.spacer(),
            link_button("View profile", href=rec.profile_url, size="1", variant="soft"),
            spacing="2",
            height="100%",
        ),
        size="2",
        min_width="240px",
        max_width="none" if fill else "280px",
        width="100%" if fill else "auto",
        flex_shrink="0",
        class_name="for-you-card",
    )


def _circle_member(member: rx.Var) -> rx.Component:
    return rx.link(
        rx.vstack(
            teacher_avatar(member.avatar_url, member.initials, member.name, size="3"),
            rx.text(member.name, size="1", weight="medium", color=rx.color("gray", 12)),
            spacing="1",
            align="center",
        ),
        href=member.profile_url,
        underline="none",
    )


def _arrow() -> rx.Component:
    return rx.icon("arrow-right", size=18, color=rx.color("gray", 9), aria_hidden="true")


def swap_circle(circle: rx.Var) -> rx.Component:
    """You -> B -> C -> you: three people, each teaching the next."""
    members = circle.members
    return rx.card(
        rx.vstack(
            rx.hstack(
                _circle_member(members[0]),
                _arrow(),
                _circle_member(members[1]),
                _arrow(),
                _circle_member(members[2]),
                _arrow(),
                rx.icon("rotate-ccw", size=18, color=rx.color("green", 10), aria_label="and back"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.vstack(
                rx.foreach(
                    circle.flows,
                    lambda flow: rx.hstack(
                        rx.icon(
                            "graduation-cap", size=14, color=rx.color("accent", 10), flex_shrink="0"
                        ),
                        rx.text(flow, size="2", color=rx.color("gray", 11)),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="1",
            ),
            spacing="3",
        ),
        size="2",
        class_name="swap-circle",
    )
