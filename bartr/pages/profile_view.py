"""A member's public profile: who they are, what they teach and want, when they are free."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.chips import chip, skill_chips
from bartr.components.course_cards import course_cards
from bartr.components.safety_menu import member_safety_menu, report_button, safety_dialogs
from bartr.components.shell import page
from bartr.components.skill_card import rating
from bartr.components.stars import stars_row
from bartr.components.trust_badges import badge_chip, trust_chip
from bartr.components.week_grid import week_grid
from bartr.state.profile_view import ProfileViewState as S


def _meta(icon: str, *children) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14, color=rx.color("gray", 10), flex_shrink="0"),
        rx.text(*children, size="2", color=rx.color("gray", 11)),
        spacing="2",
        align="center",
    )


def _section(title: str, *children: rx.Component, id_: str, **props) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="5", as_="h2"),
        *children,
        spacing="3",
        width="100%",
        id=id_,
        **props,
    )


def _header() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.avatar(
                src=S.avatar_url,
                fallback=S.initials,
                size=rx.breakpoints(initial="6", sm="8"),
                radius="full",
                alt=S.name,
            ),
            rx.vstack(
                rx.hstack(
                    rx.heading(S.name, size="7", as_="h1"),
                    rx.foreach(S.badges, badge_chip),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(
                    S.handle_label,
                    " · member since ",
                    S.member_since,
                    size="2",
                    color=rx.color("gray", 10),
                ),
                rx.hstack(
                    rx.cond(
                        (S.rating == "") & S.badges.contains("New member"),
                        rx.fragment(),  # the "New member" badge already says it
                        rating(S.rating, S.rating_count, S.rating_stars),
                    ),
                    trust_chip(S.trust, S.trust_line),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.flex(
                    rx.cond(
                        S.languages.length() > 0,
                        _meta("languages", S.languages.join(" · ")),
                    ),
                    _meta(
                        "clock",
                        rx.cond(S.is_self, "Your local time ", "Their local time "),
                        rx.text.strong(S.local_time),
                        " (",
                        S.owner_timezone,
                        ")",
                    ),
                    spacing=rx.breakpoints(initial="2", sm="5"),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    wrap="wrap",
                ),
                spacing="2",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                S.is_self,
                link_button(
                    rx.icon("pencil", size=14),
                    "Edit profile",
                    href=routes.PROFILE_EDIT,
                    variant="soft",
                ),
                rx.hstack(
                    link_button(
                        rx.icon("message-circle", size=14),
                        "Message",
                        href=routes.message_member(S.handle),
                        variant="soft",
                        id="message-member",
                    ),
                    rx.cond(S.logged_in, member_safety_menu(S.handle_label, S.name)),
                    spacing="2",
                    align="center",
                ),
            ),
            spacing="5",
            align=rx.breakpoints(initial="start", sm="center"),
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        rx.cond(
            S.bio != "",
            rx.text(
                S.bio,
                size="3",
                color=rx.color("gray", 12),
                white_space="pre-wrap",
                padding_top="16px",
                max_width="70ch",
            ),
        ),
        size="4",
        width="100%",
    )


def _teach_skill(skill: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.heading(skill.title, size="4", as_="h3"),
                skill_chips(skill.level, skill.category, skill.tags),
                rx.cond(
                    skill.description != "",
                    rx.text(
                        skill.description,
                        size="2",
                        color=rx.color("gray", 11),
                        white_space="pre-wrap",
                    ),
                ),
                spacing="2",
                flex="1",
                min_width="0",
            ),
            rx.cond(
                ~S.is_self,
                link_button("Request a session", href=skill.request_url, flex_shrink="0"),
            ),
            spacing="4",
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="start"),
        ),
        size="2",
        width="100%",
        class_name="teach-skill",
    )


def _learn_skill(skill: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("book-open", size=16, color=rx.color("accent", 10), flex_shrink="0"),
        rx.text(skill.title, size="2", weight="medium"),
        chip(skill.level, color=None),
        chip(skill.category),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _empty_line(text: str) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 10))


def _why_match() -> rx.Component:
    return rx.cond(
        S.match_reasons.length() > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("sparkles", size=16, color=rx.color("accent", 10)),
                    rx.text("Why you'd match", weight="bold", size="3"),
                    rx.cond(
                        S.mutual,
                        rx.badge(
                            rx.icon("repeat-2", size=12), "Mutual match", color_scheme="green"
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.foreach(
                    S.match_reasons,
                    lambda r: rx.hstack(
                        rx.icon("check", size=14, color=rx.color("green", 10)),
                        rx.text(r, size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                spacing="2",
            ),
            size="2",
            width="100%",
            id="why-match",
        ),
    )


def _no_reviews() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("message-square-quote", size=28, color=rx.color("gray", 9)),
            rx.text("No reviews yet", weight="medium"),
            rx.text(
                "Reviews appear here after completed sessions.",
                size="2",
                color=rx.color("gray", 10),
            ),
            spacing="1",
            align="center",
        ),
        width="100%",
        padding_y="24px",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
    )


def _trust_ring() -> rx.Component:
    """The score as a ring 0-100 with the link to how it is computed."""
    return rx.cond(
        S.trust != "",
        rx.hstack(
            rx.box(
                rx.center(
                    rx.text(S.trust, size="5", weight="bold"),
                    width="56px",
                    height="56px",
                    border_radius="9999px",
                    background=rx.color("gray", 1),
                ),
                padding="6px",
                border_radius="9999px",
                background=S.trust_ring,
                role="img",
                aria_label="Trust score " + S.trust + " out of 100",
            ),
            rx.vstack(
                rx.text("Trust score", weight="medium", size="2"),
                rx.cond(
                    S.trust_line != "",
                    rx.text(S.trust_line, size="1", color=rx.color("gray", 11)),
                ),
                rx.link("How trust works", href=routes.TRUST, size="1"),
                spacing="1",
                min_width="0",
            ),
            spacing="3",
            align="center",
        ),
    )


def _star_bars() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.star_bars,
            lambda b: rx.hstack(
                rx.text(b.stars, "★", size="1", width="24px", color=rx.color("gray", 11)),
                rx.box(
                    rx.box(
                        width=b.width,
                        height="100%",
                        background=rx.color("amber", 9),
                        border_radius="9999px",
                    ),
                    flex="1",
                    height="8px",
                    background=rx.color("gray", 4),
                    border_radius="9999px",
                ),
                rx.text(b.count, size="1", width="24px", text_align="right",
                        color=rx.color("gray", 11)),
                spacing="2",
                align="center",
                width="100%",
                aria_label=b.stars.to_string() + " stars: " + b.count.to_string(),
            ),
        ),
        spacing="1",
        width="100%",
        max_width="320px",
    )  # fmt: skip


def _review(r: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                stars_row(r.stars, size=14),
                rx.text(r.name, weight="medium", size="2"),
                rx.text("· ", r.skill, " · ", r.month, size="1", color=rx.color("gray", 10)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(r.text, size="2"),
            rx.cond(
                S.logged_in & ~S.is_self,
                rx.box(report_button("review", r.id, "Review by " + r.name)),
            ),
            rx.cond(
                r.reply != "",
                rx.box(
                    rx.text("Reply from ", S.name, size="1", weight="medium"),
                    rx.text(r.reply, size="2", color=rx.color("gray", 11)),
                    padding_left="12px",
                    border_left=f"2px solid {rx.color('gray', 6)}",
                ),
            ),
            rx.cond(
                r.can_reply,
                rx.cond(
                    S.reply_for == r.id,
                    rx.vstack(
                        rx.text_area(
                            value=S.reply_text,
                            on_change=S.set_reply_text,
                            placeholder="A short public reply",
                            rows="2",
                            width="100%",
                            aria_label="Your reply",
                        ),
                        rx.cond(
                            S.reply_error != "",
                            rx.text(S.reply_error, size="1", color=rx.color("red", 11)),
                        ),
                        rx.hstack(
                            rx.button("Post reply", size="1", on_click=S.send_reply),
                            rx.button("Cancel", size="1", variant="soft", color_scheme="gray",
                                      on_click=S.close_reply),
                            spacing="2",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.button("Reply", size="1", variant="ghost", on_click=S.open_reply(r.id)),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )  # fmt: skip


def _reviews() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.text(S.review_avg, size="7", weight="bold"),
                stars_row(S.review_stars, size=14),
                rx.text(
                    S.review_count,
                    rx.cond(S.review_count == 1, " review", " reviews"),
                    size="1",
                    color=rx.color("gray", 10),
                ),
                spacing="1",
                align="start",
            ),
            _star_bars(),
            gap="24px",
            align="center",
            width="100%",
        ),
        rx.foreach(S.reviews, _review),
        spacing="3",
        width="100%",
    )


def _profile() -> rx.Component:
    left = rx.vstack(
        _section(
            "Teaches",
            rx.cond(
                S.teaches.length() > 0,
                rx.vstack(rx.foreach(S.teaches, _teach_skill), spacing="3", width="100%"),
                rx.cond(
                    S.is_self,
                    link_button("Add what you teach", href=routes.PROFILE_EDIT, variant="soft"),
                    _empty_line("Nothing listed to teach yet."),
                ),
            ),
            id_="teaches",
        ),
        rx.cond(
            (S.teacher_courses.length() > 0) | S.is_self,
            _section(
                "Courses",
                course_cards(
                    S.teacher_courses,
                    empty=link_button(
                        "Add a course to a skill you teach", href=routes.COURSES, variant="soft"
                    ),
                ),
                id_="courses",
            ),
        ),
        _section(
            "Wants to learn",
            rx.cond(
                S.learns.length() > 0,
                rx.vstack(rx.foreach(S.learns, _learn_skill), spacing="2", width="100%"),
                _empty_line("Nothing listed yet."),
            ),
            id_="learns",
        ),
        _section(
            "Reviews",
            rx.cond(S.review_count > 0, _reviews(), _no_reviews()),
            id_="reviews",
        ),
        spacing="6",
        width="100%",
        min_width="0",
    )
    right = rx.vstack(
        _why_match(),
        rx.card(
            _section(
                "Availability",
                week_grid(S.days, S.shown_timezone, whose=S.grid_whose),
                id_="availability",
            ),
            size="2",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    return rx.vstack(
        _header(),
        rx.cond(S.trust != "", rx.card(_trust_ring(), size="2", width="100%")),
        rx.grid(
            left,
            right,
            columns=rx.breakpoints(initial="1", md="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="6",
            width="100%",
        ),
        spacing="6",
        width="100%",
    )


def _loading() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.skeleton(rx.box(width="80px", height="80px"), border_radius="9999px"),
                rx.vstack(
                    rx.skeleton(rx.box(height="28px", width="220px")),
                    rx.skeleton(rx.box(height="16px", width="160px")),
                    rx.skeleton(rx.box(height="16px", width="260px")),
                    spacing="2",
                ),
                spacing="5",
                align="center",
            ),
            size="4",
            width="100%",
        ),
        rx.skeleton(rx.box(height="120px", width="100%")),
        rx.skeleton(rx.box(height="120px", width="100%")),
        spacing="5",
        width="100%",
        aria_busy="true",
    )


def _not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("user-x", size=40, color=rx.color("gray", 9)),
            rx.heading("No member with that name", size="5", as_="h1"),
            rx.text("The link may be old, or the member left BARTR.", color=rx.color("gray", 11)),
            link_button("Browse the marketplace", href=routes.MARKETPLACE),
            spacing="3",
            align="center",
            text_align="center",
        ),
        padding_y="64px",
        width="100%",
    )


@page(routes.PROFILE_PATTERN, "Profile", on_load=[S.load])
def profile_view_page() -> rx.Component:
    return rx.cond(
        S.loading,
        _loading(),
        rx.cond(
            S.not_found,
            _not_found(),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%"
                ),
                rx.fragment(_profile(), safety_dialogs()),
            ),
        ),
    )
