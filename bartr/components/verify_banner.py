"""The "confirm your email" banner, shown under the header until the member's address is
verified, with a button that sends the link again."""

from __future__ import annotations

import reflex as rx

from bartr.state.account_email import VerifyBannerState
from bartr.state.auth import AuthState


def verify_banner() -> rx.Component:
    return rx.cond(
        AuthState.logged_in & AuthState.email_unverified,
        rx.box(
            rx.flex(
                rx.hstack(
                    rx.icon("mail-warning", size=18, color=rx.color("amber", 11), flex_shrink="0"),
                    rx.text(
                        rx.text.strong("Confirm your email address. "),
                        "Open the link we emailed you. Until then your inviter's reward waits, "
                        "and we won't send you email notifications.",
                        size="2",
                    ),
                    spacing="2",
                    align="start",
                    flex="1",
                    min_width="0",
                ),
                rx.hstack(
                    rx.cond(
                        VerifyBannerState.banner_note != "",
                        rx.text(VerifyBannerState.banner_note, size="1", role="status"),
                    ),
                    rx.cond(
                        VerifyBannerState.banner_error != "",
                        rx.text(
                            VerifyBannerState.banner_error,
                            size="1",
                            color=rx.color("red", 11),
                            role="alert",
                        ),
                    ),
                    rx.button(
                        "Send the link again",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        # Amber text on the amber banner was 4:1; the high-contrast
                        # text passes AA (tests/e2e/test_accessibility.py).
                        high_contrast=True,
                        on_click=VerifyBannerState.resend,
                        id="resend-verification",
                    ),
                    spacing="2",
                    align="center",
                    flex_shrink="0",
                    wrap="wrap",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap="8px",
                align=rx.breakpoints(initial="start", sm="center"),
                max_width="1200px",
                margin_x="auto",
                padding_x=["16px", "24px"],
                padding_y="10px",
            ),
            background=rx.color("amber", 3),
            border_bottom=f"1px solid {rx.color('amber', 6)}",
            id="verify-banner",
        ),
    )
