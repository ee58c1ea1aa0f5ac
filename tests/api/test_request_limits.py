"""RequestLimits: bodies are bounded before they are read, anonymous uploads are refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from bartr.api.request_limits import RequestLimits, handler_key, upload_limits
from bartr.api.routes import build_api
from bartr.services import accounts
from bartr.settings import get_settings
from tests.factories import make_user

AVATAR = (
    "reflex___state____state.bartr___state___auth____auth_state."
    "bartr___state___profile_edit____profile_edit_state.upload_avatar"
)
COURSE = (
    "reflex___state____state.bartr___state___auth____auth_state."
    "bartr___state___course_page____course_page_state.upload"
)
MB = 1024 * 1024


@dataclass
class Inner:
    """The app behind the middleware: reads the whole body, counting what reached it."""

    called: bool = False
    received: int = 0

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            self.received += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@dataclass
class Outcome:
    status: int = 0
    sent_by_client: int = 0
    messages: list[dict] = field(default_factory=list)


def drive(
    app,  # type: ignore[no-untyped-def]
    *,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    chunks: Iterable[bytes] = (b"",),
    method: str = "POST",
) -> Outcome:
    outcome = Outcome()
    parts = list(chunks)

    async def receive() -> dict:
        if not parts:
            return {"type": "http.disconnect"}
        body = parts.pop(0)
        outcome.sent_by_client += len(body)
        return {"type": "http.request", "body": body, "more_body": bool(parts)}

    async def send(message: dict) -> None:
        outcome.messages.append(message)
        if message["type"] == "http.response.start":
            outcome.status = message["status"]

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "query_string": b"",
    }
    asyncio.run(app(scope, receive, send))
    return outcome


def test_a_huge_declared_length_is_refused_before_reading() -> None:
    inner = Inner()
    out = drive(
        RequestLimits(inner),
        path="/api/stripe/webhook",
        headers=[("content-length", str(1024**3))],
        chunks=[b"x" * 1024] * 4,
    )
    assert out.status == 413
    assert not inner.called and out.sent_by_client == 0


def test_the_webhook_route_behind_the_middleware_never_reads_a_gibibyte() -> None:
    out = drive(
        RequestLimits(build_api()),
        path="/api/stripe/webhook",
        headers=[("content-length", str(1024**3)), ("stripe-signature", "t=1,v1=x")],
        chunks=[b"{" * MB] * 3,
    )
    assert out.status == 413 and out.sent_by_client == 0


def test_a_chunked_body_is_cut_off_past_the_limit() -> None:
    inner = Inner()
    limit = get_settings().stripe_webhook_max_bytes
    out = drive(RequestLimits(inner), path="/api/stripe/webhook", chunks=[b"x" * 64 * 1024] * 64)
    assert out.status == 413
    assert inner.received <= limit
    assert out.sent_by_client <= limit + 64 * 1024  # stopped reading at the first chunk past it
    assert b"ok" not in b"".join(m.get("body", b"") for m in out.messages)


def test_an_unnamed_path_gets_the_small_default_limit() -> None:
    inner = Inner()
    big = get_settings().request_max_bytes + 1
    out = drive(RequestLimits(inner), path="/ping", headers=[("content-length", str(big))])
    assert out.status == 413 and not inner.called
    ok = drive(RequestLimits(Inner()), path="/ping", chunks=[b"x" * 100])
    assert ok.status == 200


def test_a_body_within_the_limit_passes_whole() -> None:
    inner = Inner()
    out = drive(RequestLimits(inner), path="/api/stripe/webhook", chunks=[b"x" * 1000] * 10)
    assert out.status == 200 and inner.received == 10_000


def test_an_anonymous_upload_is_refused_before_any_byte_is_read() -> None:
    inner = Inner()
    out = drive(
        RequestLimits(inner, session_check=lambda token: False),
        path="/_upload",
        headers=[("reflex-event-handler", AVATAR), ("reflex-client-token", "made-up")],
        chunks=[b"x" * MB] * 3,
    )
    assert out.status == 401 and not inner.called and out.sent_by_client == 0


def test_an_upload_with_a_made_up_session_cookie_is_refused(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    inner = Inner()
    out = drive(
        RequestLimits(inner),
        path="/_upload",
        headers=[("reflex-event-handler", AVATAR), ("cookie", "bartr_session=made-up-token")],
        chunks=[b"x" * 1024],
    )
    assert out.status == 401 and not inner.called


def test_a_members_upload_passes_within_its_handlers_limit(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    with Session(sqlite_engine, expire_on_commit=False) as db:
        token = accounts.open_session_for(db, make_user(db)).token
        db.commit()
    cookie = ("cookie", f"theme=dark; bartr_session={token}")
    inner = Inner()
    out = drive(
        RequestLimits(inner),
        path="/_upload",
        headers=[("reflex-event-handler", AVATAR), cookie],
        chunks=[b"x" * MB],
    )
    assert out.status == 200 and inner.received == MB
    # The avatar handler's limit is the avatar size, not the course upload's.
    too_big = drive(
        RequestLimits(Inner()),
        path="/_upload",
        headers=[("reflex-event-handler", AVATAR), cookie],
        chunks=[b"x" * MB] * 3,
    )
    assert too_big.status == 413
    course = drive(
        RequestLimits(Inner()),
        path="/_upload",
        headers=[("reflex-event-handler", COURSE), cookie],
        chunks=[b"x" * MB] * 3,
    )
    assert course.status == 200


def test_the_registry_names_real_upload_handlers() -> None:
    from bartr.state.course_page import CoursePageState
    from bartr.state.profile_edit import ProfileEditState

    names = {
        handler_key(f"{ProfileEditState.get_full_name()}.upload_avatar"),
        handler_key(f"{CoursePageState.get_full_name()}.upload"),
    }
    assert names == set(upload_limits())
    assert "upload_avatar" in ProfileEditState.event_handlers
    assert "upload" in CoursePageState.event_handlers
    assert handler_key(AVATAR) == "profile_edit_state.upload_avatar"
    assert upload_limits()["profile_edit_state.upload_avatar"] < 3 * MB


def test_the_app_puts_the_limits_in_front_of_everything() -> None:
    import bartr.bartr as app_module
    from bartr.api.security_headers import SecurityHeaders

    transformers = list(app_module.app.api_transformer)  # type: ignore[arg-type]
    assert RequestLimits in transformers
    # The API (and Reflex under it) is wrapped by the limits, the limits by the headers.
    assert transformers.index(RequestLimits) > 0
    assert transformers.index(SecurityHeaders) > transformers.index(RequestLimits)
