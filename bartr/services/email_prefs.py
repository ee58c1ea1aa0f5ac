"""Which notifications a member also gets by email, and the signed one-click unsubscribe.

Per notification kind a member chooses in-app only or in-app + email (no preference row
means DEFAULT_EMAIL_KINDS), plus a daily digest of unread messages (services/digest.py).
A notification is mailed in the transaction that created it (the `NotificationAdded`
subscriber below writes the outbox row with the notification), at most once (dedupe key
`notification:<id>`), and only to an active member whose address is verified.

Every such email carries an unsubscribe link signed with HMAC-SHA256 over
(member id, scope) with the app's secret: no login needed, nothing else it can do, and a
forged or altered link is refused. Scopes: a notification kind, "digest", or "all".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session

from bartr import routes
from bartr.models.accounts import User, UserStatus
from bartr.models.base import utcnow
from bartr.models.messaging import Notification, NotificationPreference
from bartr.services import domain_events, outbox
from bartr.services.domain_events import NotificationAdded
from bartr.services.errors import ValidationFailed
from bartr.services.mail_content import absolute, compose
from bartr.settings import get_settings

# (kind, what the settings page calls it), in the order the page lists them.
EMAIL_KINDS: tuple[tuple[str, str], ...] = (
    ("message", "New messages (the first unread one in a conversation)"),
    ("request_received", "Someone asks you for a session"),
    ("accepted", "Your request is accepted"),
    ("declined", "Your request is declined"),
    ("counter_proposed", "Other times are proposed"),
    ("cancelled", "A session is cancelled"),
    ("expired", "A request expires unanswered"),
    ("starting_soon", "A session starts within 15 minutes"),
    ("no_show_reported", "A no-show is reported"),
    ("dispute_resolved", "A dispute is resolved"),
    ("referral_reward", "You earn an invite reward"),
    ("credits_bought", "Credits you bought arrive"),
    ("admin_adjustment", "An admin corrects your balance"),
)
KIND_NAMES = frozenset(kind for kind, _ in EMAIL_KINDS)
DEFAULT_EMAIL_KINDS = frozenset(
    {
        "request_received",
        "accepted",
        "declined",
        "counter_proposed",
        "cancelled",
        "starting_soon",
        "no_show_reported",
        "dispute_resolved",
    }
)
DIGEST, ALL = "digest", "all"
SCOPES = KIND_NAMES | {DIGEST, ALL}
_DEV_KEY = "bartr-local-development-signing-key"  # production refuses to start without one


@dataclass(frozen=True)
class Preferences:
    email_kinds: frozenset[str]
    daily_digest: bool


def _row(db: Session, user_id: int) -> NotificationPreference | None:
    return db.get(NotificationPreference, user_id)


def preferences(db: Session, *, user_id: int) -> Preferences:
    row = _row(db, user_id)
    if row is None:
        return Preferences(email_kinds=DEFAULT_EMAIL_KINDS, daily_digest=True)
    return Preferences(
        email_kinds=frozenset(k for k in row.email_kinds if k in KIND_NAMES),
        daily_digest=row.daily_digest,
    )


def _editable(db: Session, user_id: int) -> NotificationPreference:
    row = _row(db, user_id)
    if row is None:
        row = NotificationPreference(user_id=user_id, email_kinds=sorted(DEFAULT_EMAIL_KINDS))
        db.add(row)
    return row


def do_set_email(db: Session, *, actor: User, kind: str, email: bool) -> Preferences:
    """In-app only (email=False) or in-app + email for one kind of notification."""
    if kind not in KIND_NAMES:
        raise ValidationFailed("Choose one of the listed kinds of notification.")
    row = _editable(db, actor.id or 0)
    kinds = set(row.email_kinds) & KIND_NAMES
    kinds = kinds | {kind} if email else kinds - {kind}
    row.email_kinds = sorted(kinds)  # a new list: JSON columns notice reassignment only
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return preferences(db, user_id=actor.id or 0)


def do_set_daily_digest(db: Session, *, actor: User, on: bool) -> Preferences:
    row = _editable(db, actor.id or 0)
    row.daily_digest = bool(on)
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return preferences(db, user_id=actor.id or 0)


# --------------------------------------------------------------------------- unsubscribe


def _key() -> bytes:
    return (get_settings().secret_key or _DEV_KEY).encode("utf-8")


def sign(user_id: int, scope: str) -> str:
    message = f"unsubscribe:{user_id}:{scope}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_query(user_id: int, scope: str) -> str:
    return urlencode({"u": user_id, "s": scope, "sig": sign(user_id, scope)})


def unsubscribe_page_url(user_id: int, scope: str) -> str:
    """The link in the email's text (a page that unsubscribes and offers to undo)."""
    return absolute(f"{routes.UNSUBSCRIBE}?{unsubscribe_query(user_id, scope)}")


def unsubscribe_post_url(user_id: int, scope: str) -> str:
    """The List-Unsubscribe URL: mail programs POST `List-Unsubscribe=One-Click` to it."""
    return absolute(f"{routes.API_UNSUBSCRIBE}?{unsubscribe_query(user_id, scope)}")


def check_link(user_id: object, scope: object, signature: object) -> tuple[int, str]:
    """(user id, scope) of a genuine link, or ValidationFailed (bounded, constant-time)."""
    bad = ValidationFailed("This unsubscribe link is not valid. Change your emails in Settings.")
    if not (isinstance(user_id, str | int) and isinstance(scope, str)):
        raise bad
    if not isinstance(signature, str) or len(signature) != 32:
        raise bad
    text = str(user_id)
    if not text.isdigit() or len(text) > 12 or scope not in SCOPES:
        raise bad
    if not hmac.compare_digest(sign(int(text), scope), signature):
        raise bad
    return int(text), scope


def scope_label(scope: str) -> str:
    if scope == ALL:
        return "all email notifications and the daily digest"
    if scope == DIGEST:
        return "the daily digest of unread messages"
    return "emails about: " + dict(EMAIL_KINDS).get(scope, scope).lower()


def do_unsubscribe(
    db: Session, *, user_id: object, scope: object, signature: object, resubscribe: bool = False
) -> str:
    """Apply a signed link (or undo it); returns what it was about, for the page."""
    uid, what = check_link(user_id, scope, signature)
    user = db.get(User, uid)
    if user is None or user.status == UserStatus.DELETED:
        raise ValidationFailed("This unsubscribe link is not valid any more.")
    row = _editable(db, uid)
    kinds = set(row.email_kinds) & KIND_NAMES
    if what == ALL:
        row.daily_digest = resubscribe and row.daily_digest
        kinds = set(DEFAULT_EMAIL_KINDS) if resubscribe else set()
    elif what == DIGEST:
        row.daily_digest = resubscribe
    else:
        kinds = kinds | {what} if resubscribe else kinds - {what}
    row.email_kinds = sorted(kinds)
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return scope_label(what)


# --------------------------------------------------------------------------- mailing


def can_email(user: User | None) -> bool:
    """Only active members with a verified address get notification mail."""
    return (
        user is not None and user.status == UserStatus.ACTIVE and user.email_verified_at is not None
    )


def _on_notification(db: Session, event: NotificationAdded) -> None:
    from bartr.services import notifications

    if event.kind not in preferences(db, user_id=event.user_id).email_kinds:
        return
    user = db.get(User, event.user_id)
    row = db.get(Notification, event.notification_id)
    if not can_email(user) or row is None:
        return
    assert user is not None
    [view] = notifications.describe(db, [row])
    mail = compose(
        subject=view.text if len(view.text) <= 120 else view.text[:117] + "...",
        greeting=f"Hello {user.display_name},",
        paragraphs=[view.text + "."],
        action=("Open BARTR", absolute(view.href)),
        footer=[
            f"You get this email because of your choices in Settings: {absolute(routes.SETTINGS)}"
        ],
        unsubscribe_url=unsubscribe_page_url(event.user_id, event.kind),
    )
    outbox.enqueue(
        db,
        to=user.email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        dedupe_key=f"notification:{event.notification_id}",
        list_unsubscribe=unsubscribe_post_url(event.user_id, event.kind),
    )
    row.emailed_at = utcnow()
    db.add(row)


def register() -> None:
    domain_events.subscribe_in_transaction(NotificationAdded, _on_notification)


register()
