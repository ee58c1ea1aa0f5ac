"""Settings' "Email" card: per kind, in-app only or in-app + email; the daily digest."""

from __future__ import annotations

import reflex as rx

from bartr.state.email_prefs import EmailPrefsState as E

MUTED = rx.color("gray", 11)


def _kind_row(k: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(k["label"], size="2", flex="1", min_width="0"),
        rx.text(rx.cond(k["email"] == "1", "In-app + email", "In-app only"), size="1", color=MUTED),
        rx.switch(
            checked=k["email"] == "1",
            on_change=lambda on: E.set_email(k["kind"].to(str), on),
            aria_label="Email me: " + k["label"].to(str),
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="6px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )


def email_prefs_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=18, color=rx.color("accent", 11)),
                rx.heading("Email", as_="h2", size="4"),
                spacing="2",
                align="center",
            ),
            rx.text(
                "Everything shows in your notification centre. Choose what also comes by "
                "email; every email has a one-click unsubscribe link.",
                size="2",
                color=MUTED,
            ),
            rx.cond(
                ~E.verified,
                rx.callout(
                    "Confirm your email address first: until then we send no notification "
                    "emails (use the banner at the top to get the link again).",
                    icon="mail-warning",
                    color_scheme="amber",
                    size="1",
                ),
            ),
            rx.cond(
                E.prefs_error != "",
                rx.callout(E.prefs_error, icon="triangle-alert", color_scheme="red", size="1"),
            ),
            rx.hstack(
                rx.vstack(
                    rx.text("Daily digest of unread messages", size="2", weight="medium"),
                    rx.text(
                        "Once a day from 8:00 your time, only when messages are waiting.",
                        size="1",
                        color=MUTED,
                    ),
                    spacing="0",
                    flex="1",
                    min_width="0",
                ),
                rx.switch(
                    checked=E.daily_digest,
                    on_change=E.set_digest,
                    aria_label="Daily digest of unread messages",
                    id="digest-switch",
                ),
                align="center",
                width="100%",
            ),
            rx.vstack(rx.foreach(E.kinds, _kind_row), spacing="0", width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        size="3",
        id="settings-email",
    )
