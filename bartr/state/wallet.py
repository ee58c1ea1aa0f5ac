"""The wallet page: balances, chart, credit packs, referrals, history and CSV export."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from bartr import routes
from bartr.adapters import registry
from bartr.db import read_session
from bartr.models.accounts import User
from bartr.services import payments, referrals, wallet
from bartr.services.credits import MINOR_PER_CREDIT, format_credits, signed_credits_phrase
from bartr.services.errors import DomainError
from bartr.settings import get_settings
from bartr.state.auth import GENERIC_ERROR, AuthState, log
from bartr.state.wording import clock_label, date_label, short_day_label, stamp_label, zone_of

PAGE_SIZE = 20
CHART_POINTS = 120  # the chart shows the latest movements; the table has them all
CSV_FILENAME = "bartr-wallet.csv"

REFERRAL_TONE = {
    "signed up": "amber",
    "email not confirmed": "amber",
    "onboarded": "blue",
    "rewarded": "green",
    "not eligible": "gray",
}
PAYMENT_TONE = {"pending": "amber", "paid": "green", "expired": "gray"}


def checkout_return_url(outcome: str) -> str:
    """Where Stripe sends the buyer back to (absolute: Stripe needs the full URL)."""
    return f"{get_settings().public_url.rstrip('/')}{routes.WALLET}?checkout={outcome}"


def _history_row(row: wallet.HistoryRow, zone: ZoneInfo) -> dict[str, str]:
    return {
        "id": str(row.entry_id),
        "date": stamp_label(row.created_at, zone),
        "reason": row.reason,
        "link_label": row.link_label or "",
        "link_path": row.link_path or "",
        "amount": signed_credits_phrase(row.amount),
        "tone": "gray" if row.from_hold else ("green" if row.amount > 0 else "red"),
        "note": "from your hold" if row.from_hold else "",
        "balance": format_credits(row.balance_after),
    }


def _chart(series: list[tuple[datetime, int]], start: datetime, zone: ZoneInfo) -> list[dict]:
    """The member's balance over time, in credits, from zero when they joined.

    One point per local day (its closing balance): several movements on one day would
    repeat that day's label on the axis ("1 Dec, 1 Dec"). A history that fits in one day
    keeps every movement, labelled by its time.
    """
    if not series:
        return []
    points = [(start, 0), *series]
    days = {when.astimezone(zone).date() for when, _ in points}
    if len(days) > 1:
        closing = {when.astimezone(zone).date(): (when, balance) for when, balance in points}
        points = list(closing.values())
        label = short_day_label
    else:
        label = clock_label
    return [
        {
            "day": label(when, zone),
            "when": stamp_label(when, zone),
            "balance": round(balance / MINOR_PER_CREDIT, 2),
        }
        for when, balance in points[-CHART_POINTS:]
    ]


class WalletState(AuthState):
    loaded: bool = False
    load_error: str = ""
    available_label: str = "0"
    held_label: str = "0"
    has_held: bool = False
    zone_name: str = "UTC"
    chart: list[dict[str, Any]] = []
    rows: list[dict[str, str]] = []
    has_more: bool = False
    loading_more: bool = False
    referral_link: str = ""
    referral_total_label: str = "0"
    referral_reward: str = ""
    welcome_reward: str = ""
    referrals: list[dict[str, str]] = []
    packs: list[dict[str, str]] = []
    payments_on: bool = False
    purchases: list[dict[str, str]] = []
    buying: str = ""
    buy_error: str = ""
    # A toast to show (see components/toast_outlet.py: server-sent toasts are blocked by CSP).
    notice: str = ""
    notice_error: bool = False
    notice_seq: int = 0

    def _notify(self, message: str, *, error: bool = False) -> None:
        self.notice, self.notice_error = message, error
        self.notice_seq += 1

    @rx.event
    def notice_shown(self) -> None:
        self.notice_seq = 0

    def _show(self, db: Any, user: User) -> None:
        zone = zone_of(user.timezone)
        self.zone_name = user.timezone or "UTC"
        available, held = wallet.wallet_summary(db, actor=user)
        self.available_label = format_credits(available)
        self.held_label = format_credits(held)
        self.has_held = held > 0
        self.balance_label = self.available_label
        page = wallet.history(db, actor=user, limit=PAGE_SIZE + 1)
        self.rows = [_history_row(r, zone) for r in page[:PAGE_SIZE]]
        self.has_more = len(page) > PAGE_SIZE
        self.chart = _chart(wallet.balance_series(db, actor=user), user.created_at, zone)
        self.referral_link = referrals.referral_link(user, get_settings().public_url)
        self.referral_total_label = format_credits(referrals.total_earned(db, actor=user))
        self.referral_reward = str(get_settings().referral_credits)
        self.welcome_reward = str(get_settings().welcome_credits)
        self.referrals = [
            {
                "name": r.display_name,
                "path": routes.profile(r.handle),
                "state": r.state,
                "tone": REFERRAL_TONE.get(r.state, "gray"),
                "joined": date_label(r.signed_up_at, zone),
                "earned": format_credits(r.earned, signed=True) if r.earned else "",
            }
            for r in referrals.list_referrals(db, actor=user)
        ]
        self.payments_on = payments.payments_enabled()
        self.packs = [
            {
                "id": p.id,
                "label": p.label,
                "credits": str(p.credits),
                "price": p.price_text,
                "per_credit": f"€{p.price_cents / p.credits / 100:.2f} per credit",
            }
            for p in payments.list_packs()
        ]
        self.purchases = [
            {
                "anchor": f"payment-{p.id}",
                "label": f"{p.pack_id.replace('-', ' ').replace('_', ' ').title()}",
                "credits": format_credits(p.credits),
                "price": f"€{p.amount_cents / 100:.2f}",
                "status": p.status,
                "tone": PAYMENT_TONE.get(p.status, "gray"),
                "date": date_label(p.created_at, zone),
            }
            for p in payments.list_payments(db, actor=user)
        ]

    @rx.event
    def load(self) -> Any:
        self.load_error, self.buy_error, self.buying = "", "", ""
        try:
            with read_session() as db:
                user = self._current_user(db)
                if user is None:
                    return None  # the page guard sends visitors to log in
                self._show(db, user)
        except Exception:
            log.exception("wallet load")
            self.load_error = "We couldn't load your wallet just now. Please try again."
            return None
        finally:
            self.loaded = True
        outcome = self.router.url.query_parameters.get("checkout")
        if outcome == "success":
            self._notify("Payment received: credits appear as soon as Stripe confirms")
        elif outcome == "cancelled":
            self._notify("Checkout cancelled. Nothing was charged.")
        return None

    @rx.event
    def load_more(self) -> Iterator[Any]:
        self.loading_more = True
        yield
        try:
            with read_session() as db:
                user = self._require_user(db)
                page = wallet.history(db, actor=user, limit=PAGE_SIZE + 1, offset=len(self.rows))
                zone = zone_of(user.timezone)
        except DomainError as exc:
            self.loading_more = False
            self._notify(exc.message, error=True)
            return
        except Exception:
            log.exception("wallet load more")
            self.loading_more = False
            self._notify(GENERIC_ERROR, error=True)
            return
        self.rows = [*self.rows, *(_history_row(r, zone) for r in page[:PAGE_SIZE])]
        self.has_more = len(page) > PAGE_SIZE
        self.loading_more = False

    @rx.event
    async def buy(self, pack_id: str) -> AsyncIterator[Any]:
        self.buy_error = ""
        self.buying = str(pack_id)[:40]
        yield

        def on_error(exc: DomainError) -> None:
            self.buy_error = exc.message

        request = self._run(
            lambda db, user: payments.do_create_checkout_request(
                db,
                actor=user,
                pack_id=self.buying,
                success_url=checkout_return_url("success"),
                cancel_url=checkout_return_url("cancelled"),
            ),
            on_error=on_error,
        )
        if request is None:
            self.buying = ""
            return
        # The provider is called between two units of work, never inside one, and in a
        # thread: an HTTP call to Stripe must not stall the event loop.
        try:
            checkout_id, url = await asyncio.to_thread(
                payments.open_checkout, request, gateway=registry.payments()
            )
        except DomainError as exc:
            checkout_id, url = None, ""
            on_error(exc)
        self._run(
            lambda db, user: payments.do_record_checkout(
                db, actor=user, payment_id=request.payment_id, checkout_session_id=checkout_id
            ),
            on_error=on_error,
        )
        if not url:
            self.buying = ""
            return
        # An address on another host makes the browser leave the app in this tab
        # (is_external=True would open a new tab, which popup blockers stop).
        yield rx.redirect(url)

    @rx.event
    def export_csv(self) -> Any:
        error = ""

        def on_error(exc: DomainError) -> None:
            nonlocal error
            error = exc.message

        data = self._run(lambda db, user: wallet.history_csv(db, actor=user), on_error=on_error)
        if data is None:
            self._notify(error or GENERIC_ERROR, error=True)
            return None
        return rx.download(data=data, filename=CSV_FILENAME, mime_type="text/csv")
