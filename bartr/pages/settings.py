"""Settings: sign-in, warnings from admins, blocked members, my reports (and, later, my data)."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.email_prefs_card import email_prefs_card
from bartr.components.forms import field_error
from bartr.components.safety_menu import safety_dialogs
from bartr.components.shell import page, page_title
from bartr.state.auth import AuthState
from bartr.state.email_prefs import EmailPrefsState
from bartr.state.settings import SettingsState as S

MUTED = rx.color("gray", 11)


def _card(
    title: str, description: str, icon: str, *children: rx.Component, id: str
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("accent", 11)),
                rx.heading(title, as_="h2", size="4"),
                spacing="2",
                align="center",
            ),
            rx.text(description, size="2", color=MUTED),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        size="3",
        id=id,
    )


def _skeleton() -> rx.Component:
    return rx.vstack(
        rx.skeleton(height="36px", width="100%"),
        rx.skeleton(height="36px", width="100%"),
        spacing="2",
        width="100%",
    )


def _sign_in_card() -> rx.Component:
    return _card(
        "Sign-in",
        "Ends every session of your account, on this and every other device.",
        "log-out",
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button("Log out everywhere", color_scheme="red", variant="soft")
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Log out of every device?"),
                rx.alert_dialog.description("You will need your password to log in again."),
                rx.hstack(
                    rx.alert_dialog.cancel(
                        rx.button("Cancel", variant="soft", color_scheme="gray")
                    ),
                    rx.alert_dialog.action(
                        rx.button(
                            "Log out everywhere",
                            color_scheme="red",
                            on_click=AuthState.log_out_everywhere,
                        )
                    ),
                    spacing="3",
                    justify="end",
                    margin_top="16px",
                ),
            ),
        ),
        id="settings-sign-in",
    )


def _warning(w: rx.Var) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert", size=16)),
        rx.vstack(
            rx.text("A warning from the BARTR team · ", w["date"], size="1", weight="medium"),
            rx.text(w["message"], size="2", white_space="pre-wrap"),
            rx.cond(
                w["seen"] == "",
                rx.button(
                    "I understand",
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    on_click=S.acknowledge(w["id"].to(int)),
                ),
            ),
            spacing="2",
            align="start",
        ),
        color_scheme="amber",
        width="100%",
    )


def _warnings_card() -> rx.Component:
    return rx.cond(
        S.warnings.length() > 0,  # type: ignore[attr-defined]
        _card(
            "Warnings",
            "Messages from the admins about how you use BARTR. Repeated problems can lead "
            "to a suspension.",
            "shield-alert",
            rx.vstack(rx.foreach(S.warnings, _warning), spacing="2", width="100%"),
            id="settings-warnings",
        ),
    )


def _blocked_row(b: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=b["name"].to(str)[:1], size="2", radius="full"),
        rx.vstack(
            rx.text(b["name"], weight="medium", size="2"),
            rx.text("Blocked ", b["since"], size="1", color=MUTED),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            "Unblock",
            size="2",
            variant="soft",
            on_click=S.unblock(b["id"].to(int)),
            aria_label="Unblock " + b["name"].to(str),
        ),
        align="center",
        width="100%",
        spacing="3",
    )


def _blocked_card() -> rx.Component:
    return _card(
        "Blocked members",
        "You and they don't see each other and can't message or book each other.",
        "ban",
        rx.cond(
            ~S.loaded,
            _skeleton(),
            rx.cond(
                S.blocked.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.blocked, _blocked_row), spacing="3", width="100%"),
                rx.text(
                    "You haven't blocked anyone. To block someone, open their profile and "
                    "use the … menu.",
                    size="2",
                    color=MUTED,
                ),
            ),
        ),
        id="settings-blocked",
    )


def _report_row(r: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(r["what"], weight="medium", size="2"),
            rx.text(r["reason"], " · ", r["date"], size="1", color=MUTED),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.badge(r["status"], color_scheme=r["tone"].to(str), variant="soft", radius="full"),  # type: ignore[arg-type]
        align="center",
        width="100%",
    )


def _reports_card() -> rx.Component:
    return _card(
        "Your reports",
        "What happened to the reports you sent. To protect everyone's privacy we don't say "
        "which action was taken.",
        "flag",
        rx.cond(
            ~S.loaded,
            _skeleton(),
            rx.cond(
                S.my_reports.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(rx.foreach(S.my_reports, _report_row), spacing="3", width="100%"),
                rx.text(
                    "You haven't reported anything. If someone makes you feel unsafe, use "
                    "Report on their profile or message.",
                    size="2",
                    color=MUTED,
                ),
            ),
        ),
        id="settings-reports",
    )


def _data_card() -> rx.Component:
    return _card(
        "Your data",
        "Download everything BARTR keeps about you (profile, skills, sessions, wallet, "
        "reports, blocks) as a JSON file.",
        "download",
        rx.button(
            rx.icon("download", size=14),
            "Download my data",
            variant="soft",
            on_click=S.download_data,
            id="download-my-data",
        ),
        id="settings-data",
    )


def _delete_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Delete your account?"),
            rx.dialog.description("This can't be undone. What happens:", size="2", color=MUTED),
            rx.vstack(
                rx.el.ul(
                    rx.foreach(S.delete_lines, lambda line: rx.el.li(rx.text(line, size="2"))),
                    padding_left="20px",
                ),
                rx.cond(
                    S.delete_blocked != "",
                    rx.callout(S.delete_blocked, icon="clock", color_scheme="amber"),
                    rx.form(
                        rx.vstack(
                            rx.el.label(
                                rx.hstack(
                                    rx.checkbox(name="confirm", id="delete-confirm"),
                                    rx.text(S.delete_confirmation, size="2"),
                                    align="start",
                                    spacing="2",
                                ),
                            ),
                            rx.el.label(
                                rx.text("Your password", size="2", weight="medium"),
                                html_for="delete-password",
                            ),
                            rx.input(
                                id="delete-password",
                                name="password",
                                type="password",
                                auto_complete="current-password",
                                width="100%",
                            ),
                            field_error(S.delete_error),
                            rx.hstack(
                                rx.dialog.close(
                                    rx.button(
                                        "Keep my account", variant="soft", color_scheme="gray"
                                    )
                                ),
                                rx.button(
                                    "Delete my account",
                                    type="submit",
                                    color_scheme="red",
                                    loading=S.deleting,
                                    id="delete-account-submit",
                                ),
                                justify="end",
                                spacing="3",
                                width="100%",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=S.delete_account,
                        reset_on_submit=False,
                    ),
                ),
                spacing="3",
                width="100%",
                margin_top="8px",
            ),
            max_width="520px",
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def _danger_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Delete account", as_="h2", size="4", color=rx.color("red", 11)),
            rx.text(
                "Erases your personal data and ends every login. Credits left in your wallet "
                "are forfeited; the books keep the record of past exchanges.",
                size="2",
                color=MUTED,
            ),
            rx.button(
                "Delete my account…",
                color_scheme="red",
                variant="soft",
                on_click=S.open_delete,
                id="open-delete-account",
            ),
            _delete_dialog(),
            spacing="3",
            width="100%",
        ),
        width="100%",
        size="3",
        style={"border": f"1px solid {rx.color('red', 6)}"},
        id="settings-delete",
    )


@page(routes.SETTINGS, "Settings", member_only=True, on_load=[S.load, EmailPrefsState.load])
def settings_page() -> rx.Component:
    return rx.vstack(
        page_title("Settings", "Your sign-in, emails, safety and data."),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red")),
        _warnings_card(),
        _sign_in_card(),
        email_prefs_card(),
        _blocked_card(),
        _reports_card(),
        _data_card(),
        _danger_card(),
        safety_dialogs(),
        spacing="4",
        max_width="720px",
        width="100%",
    )
