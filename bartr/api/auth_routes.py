"""POST /api/auth/login, /api/auth/signup, /api/auth/logout: the session cookie's only home.

Sign-up opens no session: it answers "check your inbox" for every address (a new one gets
an account and a verification link, a registered one an email to its owner; see
services/account_email.py); the member then logs in, with or before the link.

The session token is set and cleared here, by HTTP responses, as an HttpOnly cookie
(SameSite=Strict, Path=/, Secure when the public URL is https): no script on the page can
read it and it never travels in a Reflex state update. The pages post plain HTML forms here;
the answer is a 303 to the next page (the socket reconnects and carries the new cookie) or
back to the form with an error code the page turns into a message.

bcrypt runs in a worker thread, never on the event loop and never inside a write
transaction (accounts' login and sign-up come in read / slow check / short write steps).
Attempts are limited per client address (rate_limits) besides the per-email lock.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from bartr import routes
from bartr.db import read_session, unit_of_work
from bartr.services import account_email, accounts, passwords, rate_limits
from bartr.services.errors import (
    AuthenticationFailed,
    DomainError,
    NotAllowed,
    TooManyAttempts,
)
from bartr.services.session_keys import SESSION_COOKIE
from bartr.settings import get_settings

log = logging.getLogger("bartr.api.auth")

MAX_FIELD = 5000


def _same_origin(request: Request) -> bool:
    """A cross-site form post (login CSRF) is refused; browsers always send Origin on POST."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    settings = get_settings()
    return origin in settings.origins or origin == settings.public_url.rstrip("/")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, token: str, expires_at: datetime) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.public_url.startswith("https://"),
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.public_url.startswith("https://"),
    )


def _back(path: str, **params: str) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _field(form: object, name: str, limit: int = MAX_FIELD) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return value[:limit] if isinstance(value, str) else ""


def login_error_code(exc: DomainError) -> str:
    """The code the login page turns into its message (never whether the email exists)."""
    if isinstance(exc, TooManyAttempts):
        return "locked"
    if isinstance(exc, NotAllowed):
        return "closed" if "closed" in exc.message else "suspended"
    if isinstance(exc, AuthenticationFailed) and exc.message.startswith("Enter"):
        return "missing"
    return "credentials"


def _login(email: str, password: str) -> accounts.LoginResult:
    """Runs in a worker thread: read, check the password with no transaction, short write."""
    with read_session() as db:
        attempt = accounts.check_login_allowed(db, email=email, password=password)
    ok = accounts.password_matches(attempt, password)
    failure: DomainError | None = None
    with unit_of_work() as db:
        try:
            return accounts.do_finish_login(db, attempt=attempt, ok=ok)
        except DomainError as exc:  # the failure count must be committed
            failure = exc
    raise failure


async def login(request: Request) -> Response:
    """The login page posts with `fetch` and asks for JSON ({"next": path} or
    {"error": code}: the typed email stays on the page); a plain form post (no script)
    gets a 303 to the next page or back to the form."""
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused.", status_code=403)
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await request.form()
    next_path = routes.safe_next(_field(form, "next", 500) or None)
    back_next = next_path if next_path != routes.HOME else ""

    def failed(code: str) -> Response:
        if wants_json:
            return JSONResponse({"error": code}, status_code=429 if code == "address" else 400)
        return _back(routes.LOGIN, error=code, next=back_next)

    try:
        rate_limits.check_address("login", _address(request))
    except TooManyAttempts:
        return failed("address")
    email = _field(form, "email")
    password = _field(form, "password", accounts.MAX_PASSWORD + 1)
    try:
        result = await run_in_threadpool(_login, email, password)
    except DomainError as exc:
        return failed(login_error_code(exc))
    except Exception:
        log.exception("login failed")
        return failed("generic")
    target = next_path if result.user.is_onboarded else routes.ONBOARDING
    response: Response = (
        JSONResponse({"next": target}) if wants_json else RedirectResponse(target, status_code=303)
    )
    set_session_cookie(response, result.token, result.expires_at)
    return response


def _sign_up(email: str, password: str, name: str, ref: str) -> None:
    """Runs in a worker thread: check, hash with no transaction, one short write.

    A new address gets an account and a verification email; a registered one gets an email
    to its owner. Either way no session is opened and the answer is the same (#19.6)."""
    account_email.check_sign_up(email=email, password=password, display_name=name)
    password_hash = passwords.hash_password(password)  # for a registered address too
    with unit_of_work() as db:
        account_email.do_sign_up(
            db,
            email=email,
            password=password,
            password_hash=password_hash,
            display_name=name,
            referral_code=ref or None,
        )


async def signup(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused.", status_code=403)
    form = await request.form()
    ref = _field(form, "ref", 32)
    try:
        rate_limits.check_address("signup", _address(request))
    except TooManyAttempts:
        return _back(routes.SIGNUP, error="address", ref=ref)
    try:
        await run_in_threadpool(
            _sign_up,
            _field(form, "email"),
            _field(form, "password", accounts.MAX_PASSWORD + 1),
            _field(form, "display_name"),
            ref,
        )
    except DomainError:
        # The page checks the form field by field before posting; this is a race or a
        # hand-made request.
        return _back(routes.SIGNUP, error="form", ref=ref)
    except Exception:
        log.exception("sign-up failed")
        return _back(routes.SIGNUP, error="generic", ref=ref)
    return _back(routes.SIGNUP, sent="1")


def _logout(token: str) -> None:
    with unit_of_work() as db:
        accounts.do_logout(db, token=token)


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused.", status_code=403)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await run_in_threadpool(_logout, token)
    response = RedirectResponse(routes.HOME, status_code=303)
    clear_session_cookie(response)
    return response
