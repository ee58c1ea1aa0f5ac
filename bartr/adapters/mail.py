"""Mail: sending one finished email message.

Services never send mail themselves: they write an outbox row in the same transaction
as the event, and the background sender hands each message to a `Mailer` later, with
retries. With no SMTP server configured (the embedded default) messages are written as
.eml files a person can open with any mail program.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class MailNotSent(Exception):
    """The message could not be handed over; the sender retries it later."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand one message over for delivery, or raise MailNotSent."""
        ...


class SmtpMailer:
    """SMTP from a URL: smtp://user:pass@host:587?starttls=1, smtps://host:465, smtp://host:25."""

    def __init__(self, url: str, *, timeout: float = 20) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("BARTR_SMTP_URL must look like smtp://user:pass@host:port")
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        try:
            smtp: smtplib.SMTP
            if self.implicit_tls:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(f"{type(exc).__name__}: {exc}") from exc


class FileMailer:
    """Writes each message as `<message-id>.eml` into a folder (the embedded default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        raw_id = str(message.get("Message-ID", "")).strip("<>") or "message"
        name = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in raw_id)[:120]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.part"
            tmp.write_bytes(message.as_bytes())
            tmp.replace(self.folder / f"{name}.eml")
        except OSError as exc:
            raise MailNotSent(str(exc)) from exc
