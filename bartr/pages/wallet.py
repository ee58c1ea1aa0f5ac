"""The wallet: balance, balance over time, credit packs, referrals and history."""

from __future__ import annotations

import reflex as rx

from bartr import routes
from bartr.components.buttons import link_button
from bartr.components.section_card import section_header
from bartr.components.shell import page, page_title
from bartr.components.toast_outlet import toast_outlet
from bartr.state.wallet import WalletState

MUTED = rx.color("gray", 11)


def _section_title(title: str, subtitle: str | rx.Component | None = None) -> rx.Component:
    parts: list[rx.Component] = [rx.heading(title, as_="h2", size="5", weight="bold")]
    if subtitle is not None:
        parts.append(
            subtitle
            if isinstance(subtitle, rx.Component)
            else rx.text(subtitle, size="2", color=MUTED)
        )
    return rx.vstack(*parts, spacing="1")


# --------------------------------------------------------------------------- balance


def _balance_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text("Available", size="2", weight="medium", color=MUTED),
                    rx.hstack(
                        rx.text(
                            WalletState.available_label,
                            size="9",
                            weight="bold",
                            line_height="1",
                            id="wallet-available",
                        ),
                        rx.text("credits", size="4", color=MUTED),
                        align="baseline",
                        spacing="2",
                    ),
                    spacing="2",
                ),
                rx.separator(orientation="vertical", size="3"),
                rx.vstack(
                    rx.hstack(
                        rx.icon("lock", size=14, color=rx.color("amber", 10)),
                        rx.text("On hold", size="2", weight="medium", color=MUTED),
                        align="center",
                        spacing="1",
                    ),
                    rx.hstack(
                        rx.text(
                            WalletState.held_label,
                            size="7",
                            weight="bold",
                            line_height="1",
                            id="wallet-held",
                        ),
                        rx.text("credits", size="2", color=MUTED),
                        align="baseline",
                        spacing="1",
                    ),
                    spacing="2",
                ),
                align="end",
                spacing="5",
            ),
            rx.text(
                rx.cond(
                    WalletState.has_held,
                    "Credits on hold are set aside for sessions you requested. They go to the "
                    "teacher when the session happens and come back to you if it doesn't.",
                    "When you request a session, its credits are held here until it happens.",
                ),
                size="2",
                color=MUTED,
            ),
            rx.spacer(),
            rx.hstack(
                rx.icon("clock", size=14, color=rx.color("gray", 10)),
                rx.text(
                    "One credit is one hour of teaching.",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                align="center",
                spacing="2",
            ),
            spacing="4",
            height="100%",
        ),
        size="3",
        width="100%",
    )


def _chart_card() -> rx.Component:
    chart = rx.recharts.area_chart(
        rx.el.svg.defs(
            rx.el.svg.linear_gradient(
                rx.el.svg.stop(offset="5%", stop_color=rx.color("accent", 8), stop_opacity=0.5),
                rx.el.svg.stop(offset="95%", stop_color=rx.color("accent", 8), stop_opacity=0.02),
                id="wallet-balance-fill",
                x1=0,
                x2=0,
                y1=0,
                y2=1,
            )
        ),
        rx.recharts.cartesian_grid(
            vertical=False, stroke_dasharray="3 3", stroke=rx.color("gray", 5)
        ),
        rx.recharts.area(
            data_key="balance",
            name="Balance",
            type_="stepAfter",
            stroke=rx.color("accent", 9),
            stroke_width=2,
            fill="url(#wallet-balance-fill)",
            unit=" credits",
            is_animation_active=False,
        ),
        rx.recharts.x_axis(
            data_key="day",
            tick_line=False,
            axis_line=False,
            min_tick_gap=24,
            tick={"fontSize": 12, "fill": rx.color("gray", 10)},
        ),
        rx.recharts.y_axis(
            tick_line=False,
            axis_line=False,
            width=32,
            allow_decimals=True,
            tick={"fontSize": 12, "fill": rx.color("gray", 10)},
        ),
        rx.recharts.graphing_tooltip(
            content_style={
                "background": rx.color("gray", 2),
                "border": f"1px solid {rx.color('gray', 5)}",
                "borderRadius": "8px",
            },
        ),
        data=WalletState.chart,
        margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        height=200,
    )
    return rx.card(
        rx.vstack(
            rx.text("Balance over time", size="2", weight="medium", color=MUTED),
            rx.cond(
                WalletState.chart.length() > 0,  # type: ignore[attr-defined]
                rx.box(
                    chart,
                    width="100%",
                    height="200px",
                    role="img",
                    aria_label="Balance over time chart",
                ),
                rx.center(
                    rx.vstack(
                        rx.icon("chart-area", size=28, color=rx.color("gray", 8)),
                        rx.text("Your balance will be drawn here.", weight="medium"),
                        rx.text(
                            "It starts with your first credits.",
                            size="2",
                            color=MUTED,
                        ),
                        align="center",
                        spacing="1",
                        text_align="center",
                    ),
                    height="200px",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


# --------------------------------------------------------------------------- packs


def _pack_tile(pack: rx.Var) -> rx.Component:
    """A row on phones (name, price, button), a column beside its siblings from 520 px."""
    return rx.flex(
        rx.vstack(
            rx.text(pack["label"], size="2", weight="medium", color=MUTED),
            rx.hstack(
                rx.text(pack["credits"], size="7", weight="bold", line_height="1"),
                rx.text("credits", size="2", color=MUTED),
                align="baseline",
                spacing="1",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.text(pack["price"], size="3", weight="medium"),
            rx.text(pack["per_credit"], size="1", color=rx.color("gray", 10)),
            spacing="0",
            align=rx.breakpoints(initial="end", xs="start"),
            flex="1",
        ),
        rx.button(
            "Buy",
            on_click=WalletState.buy(pack["id"]),
            disabled=~WalletState.payments_on | (WalletState.buying != ""),
            loading=WalletState.buying == pack["id"],
            variant="soft",
            aria_label="Buy " + pack["label"].to(str) + " pack",
        ),
        direction=rx.breakpoints(initial="row", xs="column"),
        align=rx.breakpoints(initial="center", xs="stretch"),
        spacing="3",
        padding="16px",
        border_radius="var(--radius-4)",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        width="100%",
    )


def _packs_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            section_header(
                "coins",
                "Buy credits",
                "Short of credits? Top up with a pack; credits never expire.",
            ),
            rx.cond(
                ~WalletState.payments_on,
                rx.callout(
                    "Payments are switched off on this server; you can still earn credits by "
                    "teaching and inviting friends.",
                    icon="info",
                    color_scheme="gray",
                    variant="surface",
                    size="1",
                    width="100%",
                    id="payments-off",
                ),
            ),
            rx.cond(
                WalletState.buy_error != "",
                rx.callout(
                    WalletState.buy_error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    size="1",
                    width="100%",
                ),
            ),
            rx.grid(
                rx.foreach(WalletState.packs, _pack_tile),
                columns=rx.breakpoints(initial="1", xs="3"),
                spacing="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


# --------------------------------------------------------------------------- referrals


def _referral_row(ref: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=ref["name"].to(str)[:1], size="2", radius="full"),
        rx.vstack(
            rx.link(ref["name"], href=ref["path"], size="2", weight="medium"),
            rx.text("Joined ", ref["joined"], size="1", color=rx.color("gray", 10)),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            ref["earned"] != "",
            rx.text(ref["earned"], size="2", weight="medium", color=rx.color("green", 11)),
        ),
        rx.badge(ref["state"], color_scheme=ref["tone"], radius="full", variant="soft"),
        align="center",
        spacing="3",
        width="100%",
        padding_y="8px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )


def _referral_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            section_header(
                "gift",
                "Invite friends",
                "You get ",
                WalletState.referral_reward,
                " credits for each friend who joins with your link, once they have confirmed "
                "their email and finished setting up their profile. They get the usual ",
                WalletState.welcome_reward,
                " welcome credits when they finish setting up, like every new member.",
            ),
            rx.el.label(
                rx.text("Your invite link", size="1", weight="medium", color=MUTED),
                html_for="referral-link",
            ),
            rx.flex(
                rx.input(
                    value=WalletState.referral_link,
                    read_only=True,
                    id="referral-link",
                    size="3",
                    flex=rx.breakpoints(initial="0 0 auto", xs="1"),
                    min_width="0",
                ),
                rx.button(
                    rx.icon("copy", size=16),
                    "Copy",
                    size="3",
                    on_click=[
                        rx.set_clipboard(WalletState.referral_link),
                        rx.toast.success("Link copied"),
                    ],
                    aria_label="Copy invite link",
                ),
                direction=rx.breakpoints(initial="column", xs="row"),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.text("Earned from invites", size="2", color=MUTED),
                rx.spacer(),
                rx.text(
                    WalletState.referral_total_label,
                    " credits",
                    size="3",
                    weight="bold",
                    id="referral-total",
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                WalletState.referrals.length() > 0,  # type: ignore[attr-defined]
                rx.vstack(
                    rx.foreach(WalletState.referrals, _referral_row),
                    spacing="0",
                    width="100%",
                    id="referral-list",
                ),
                rx.text(
                    "No one has joined with your link yet. Send it to a friend who has "
                    "something to teach.",
                    size="2",
                    color=rx.color("gray", 10),
                    padding_top="8px",
                    border_top=f"1px solid {rx.color('gray', 4)}",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


# --------------------------------------------------------------------------- purchases


def _purchase_row(p: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(p["label"], " pack · ", p["credits"], " credits", size="2", weight="medium"),
            rx.text(p["date"], " · ", p["price"], size="1", color=rx.color("gray", 10)),
            spacing="0",
        ),
        rx.spacer(),
        rx.badge(p["status"], color_scheme=p["tone"], radius="full", variant="soft"),
        id=p["anchor"],
        align="center",
        width="100%",
        padding_y="8px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        scroll_margin_top="96px",
    )


def _purchases_card() -> rx.Component:
    return rx.cond(
        WalletState.purchases.length() > 0,  # type: ignore[attr-defined]
        rx.card(
            rx.vstack(
                rx.heading("Purchases", as_="h2", size="4", weight="bold"),
                rx.vstack(
                    rx.foreach(WalletState.purchases, _purchase_row), spacing="0", width="100%"
                ),
                spacing="3",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
    )


# --------------------------------------------------------------------------- history


def _history_row(row: rx.Var) -> rx.Component:
    reason = rx.vstack(
        rx.text(row["reason"], size="2"),
        rx.cond(
            row["link_path"] != "",
            rx.link(row["link_label"], href=row["link_path"], size="1"),
        ),
        rx.text(row["date"], size="1", color=rx.color("gray", 10), display=["block", "none"]),
        spacing="1",
    )
    return rx.table.row(
        rx.table.cell(
            rx.text(row["date"], size="2", color=MUTED, white_space="nowrap"),
            display=["none", "table-cell"],
        ),
        rx.table.cell(reason),
        rx.table.cell(
            rx.vstack(
                rx.text(
                    row["amount"],
                    size="2",
                    weight="bold",
                    color=rx.match(
                        row["tone"],
                        ("green", rx.color("green", 11)),
                        ("gray", rx.color("gray", 11)),
                        rx.color("red", 11),
                    ),
                    white_space="nowrap",
                ),
                rx.cond(
                    row["note"] != "",
                    rx.text(row["note"], size="1", color=MUTED, white_space="nowrap"),
                ),
                spacing="0",
                align="end",
            ),
            justify="end",
        ),
        rx.table.cell(
            rx.text(row["balance"], size="2", color=MUTED),
            justify="end",
        ),
        align="center",
    )


def _history_section() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.text("Date ", rx.text.span(f"({WalletState.zone_name})", weight="regular")),
                    display=["none", "table-cell"],
                ),
                rx.table.column_header_cell("Reason"),
                rx.table.column_header_cell("Amount", justify="end"),
                rx.table.column_header_cell("Balance", justify="end"),
            )
        ),
        rx.table.body(rx.foreach(WalletState.rows, _history_row)),
        variant="surface",
        size=rx.breakpoints(initial="1", sm="2"),
        width="100%",
        id="wallet-history",
    )
    empty = rx.card(
        rx.vstack(
            rx.icon("receipt", size=32, color=rx.color("gray", 8)),
            rx.text("No credits have moved yet.", weight="medium"),
            rx.text(
                "Teach a session or invite a friend to earn your first credits.",
                size="2",
                color=MUTED,
            ),
            link_button("Offer a skill", variant="soft", href=routes.PROFILE_EDIT),
            align="center",
            spacing="3",
            padding="24px",
            text_align="center",
        ),
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            _section_title(
                "History",
                rx.text(
                    "Every credit in and out, newest first. Times in ",
                    WalletState.zone_name,
                    ".",
                    size="2",
                    color=MUTED,
                ),
            ),
            rx.spacer(),
            rx.button(
                rx.icon("download", size=16),
                "Export CSV",
                variant="soft",
                color_scheme="gray",
                on_click=WalletState.export_csv,
                disabled=WalletState.rows.length() == 0,  # type: ignore[attr-defined]
            ),
            align="end",
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            WalletState.rows.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                table,
                rx.cond(
                    WalletState.has_more,
                    rx.button(
                        "Load more",
                        variant="soft",
                        color_scheme="gray",
                        on_click=WalletState.load_more,
                        loading=WalletState.loading_more,
                    ),
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            empty,
        ),
        spacing="3",
        width="100%",
    )


# --------------------------------------------------------------------------- page


def _skeleton() -> rx.Component:
    return rx.vstack(
        rx.grid(
            rx.skeleton(height="200px"),
            rx.skeleton(height="200px"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.skeleton(height="160px", width="100%"),
        rx.skeleton(height="240px", width="100%"),
        spacing="5",
        width="100%",
    )


def _error() -> rx.Component:
    return rx.callout(
        rx.hstack(
            rx.text(WalletState.load_error),
            rx.button("Try again", size="1", variant="soft", on_click=WalletState.load),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        icon="triangle-alert",
        color_scheme="red",
        role="alert",
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.grid(
            _balance_card(),
            _chart_card(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            rx.vstack(_packs_card(), _purchases_card(), spacing="4", width="100%"),
            _referral_card(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _history_section(),
        spacing="5",
        width="100%",
    )


@page(routes.WALLET, "Wallet", member_only=True, on_load=[WalletState.load])
def wallet_page() -> rx.Component:
    return rx.vstack(
        page_title("Wallet", "Your credits, where they came from and where they went."),
        toast_outlet(
            WalletState.notice,
            WalletState.notice_error,
            WalletState.notice_seq,
            WalletState.notice_shown,
        ),
        rx.cond(
            WalletState.load_error != "",
            _error(),
            rx.cond(WalletState.loaded, _content(), _skeleton()),
        ),
        width="100%",
        spacing="0",
    )
