"""Mail adapters: .eml files by default, and real SMTP (an aiosmtpd server on loopback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from bartr.adapters.mail import FileMailer, MailNotSent, SmtpMailer


class Collect(Sink):
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Collect]]:
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def _message(subject: str = "Reset your password") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "BARTR <no-reply@bartr.local>"
    msg["To"] = "maya@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = "<abc-123@bartr.local>"
    msg.set_content("Hello Maya")
    return msg


def test_file_mailer_writes_a_readable_eml(tmp_path: Path) -> None:
    FileMailer(tmp_path / "outbox").send(_message())
    [path] = list((tmp_path / "outbox").iterdir())
    assert path.name == "abc-123@bartr.local.eml"
    parsed = message_from_bytes(path.read_bytes())
    assert parsed["Subject"] == "Reset your password" and parsed["To"] == "maya@example.com"


def test_smtp_mailer_delivers_to_a_real_server(smtp_server: tuple[int, Collect]) -> None:
    port, handler = smtp_server
    SmtpMailer(f"smtp://127.0.0.1:{port}").send(_message("Verify your email"))
    [raw] = handler.received
    assert message_from_bytes(raw)["Subject"] == "Verify your email"


def test_smtp_mailer_reports_an_unreachable_server() -> None:
    with pytest.raises(MailNotSent):
        SmtpMailer(f"smtp://127.0.0.1:{_free_port()}", timeout=2).send(_message())


def test_smtp_url_is_parsed_strictly() -> None:
    mailer = SmtpMailer("smtps://user%40x:p%3Ass@mail.example.com")
    assert (mailer.host, mailer.port, mailer.implicit_tls) == ("mail.example.com", 465, True)
    assert (mailer.username, mailer.password) == ("user@x", "p:ss")
    assert SmtpMailer("smtp://h:587?starttls=1").starttls is True
    with pytest.raises(ValueError):
        SmtpMailer("http://mail.example.com")
