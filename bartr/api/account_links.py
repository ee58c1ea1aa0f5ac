"""The links mailed to members: password reset and email verification.

A reset link `GET /api/password-reset/{token}` checks the token without using it, keeps it
in an HttpOnly, SameSite=Strict cookie scoped to this route and redirects to the form page
`/reset-password`, so the token never sits in a page URL, in the Reflex state store or in
a Referer. The form posts (a plain HTML form) to `POST /api/password-reset`, which hashes
the new password in a thread, then uses the token, sets the password and logs out every
session in one transaction, and sends the member to log in.

A verification link `GET /api/verify-email/{token}` is used up at once and redirects to the
page that says how it went. Bodies are bounded; nothing here needs a login.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bartr import routes
from bartr.db import read_session, unit_of_work
from bartr.services import account_email, accounts, email_prefs, email_tokens, passwords
from bartr.services.errors import DomainError
from bartr.settings import get_settings

log = logging.getLogger(__name__)

RESET_COOKIE = "bartr_reset"
MAX_FORM_BYTES = 8 * 1024  # two password fields, generously


def _see_other(path: str, **query: str) -> RedirectResponse:
    url = f"{path}?{urlencode(query)}" if query else path
    return RedirectResponse(url, status_code=303, headers={"cache-control": "no-store"})


async def _bounded_form(request: Request) -> dict[str, str] | None:
    """The urlencoded form, or None if it is larger than MAX_FORM_BYTES (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:
        return {}
    return {k: v[0] for k, v in fields.items() if v}


async def open_reset_link(request: Request) -> Response:
    token = str(request.path_params["token"])[: email_tokens.MAX_TOKEN_CHARS + 1]

    def check() -> bool:
        with read_session() as db:
            return account_email.reset_link_is_valid(db, token=token)

    if not await run_in_threadpool(check):
        return _see_other(routes.RESET_PASSWORD, error="link")
    response = _see_other(routes.RESET_PASSWORD)
    response.set_cookie(
        RESET_COOKIE,
        token,
        max_age=int(account_email.RESET_TTL.total_seconds()),
        path=routes.API_PASSWORD_RESET,
        httponly=True,
        samesite="strict",
        secure=get_settings().public_url.startswith("https://"),
    )
    return response


async def submit_new_password(request: Request) -> Response:
    token = request.cookies.get(RESET_COOKIE, "")[: email_tokens.MAX_TOKEN_CHARS + 1]
    form = await _bounded_form(request)
    if form is None:
        return Response("Request too large", status_code=413)
    password = form.get("password", "")[: accounts.MAX_PASSWORD + 1]
    if password != form.get("password_again", ""):
        return _see_other(routes.RESET_PASSWORD, error="mismatch")

    def check() -> bool:
        with read_session() as db:
            return account_email.reset_link_is_valid(db, token=token)

    if not await run_in_threadpool(check):  # no bcrypt for a missing or stale link
        return _clear(_see_other(routes.RESET_PASSWORD, error="link"))
    try:
        accounts.check_password_strength(password)
    except DomainError:
        return _see_other(routes.RESET_PASSWORD, error="weak")
    hashed = await run_in_threadpool(passwords.hash_password, password)

    def reset() -> None:
        with unit_of_work() as db:
            account_email.do_reset_password(
                db, token=token, password=password, password_hash=hashed
            )

    try:
        await run_in_threadpool(reset)
    except DomainError as exc:
        code = "link" if exc.message == account_email.INVALID_LINK else "weak"
        return _see_other(routes.RESET_PASSWORD, error=code)
    except Exception:
        log.exception("password reset failed")
        return _see_other(routes.RESET_PASSWORD, error="server")
    return _clear(_see_other(routes.LOGIN, reset="1"))


def _clear(response: Response) -> Response:
    response.delete_cookie(RESET_COOKIE, path=routes.API_PASSWORD_RESET)
    return response


async def open_verify_link(request: Request) -> Response:
    token = str(request.path_params["token"])[: email_tokens.MAX_TOKEN_CHARS + 1]

    def verify() -> None:
        with unit_of_work() as db:
            account_email.do_verify_email(db, token=token)

    try:
        await run_in_threadpool(verify)
    except DomainError:
        return _see_other(routes.VERIFY_EMAIL, status="invalid")
    except Exception:
        log.exception("email verification failed")
        return _see_other(routes.VERIFY_EMAIL, status="error")
    return _see_other(routes.VERIFY_EMAIL, status="ok")


MAX_UNSUBSCRIBE_BODY = 1024


async def one_click_unsubscribe(request: Request) -> Response:
    """`List-Unsubscribe` target. POST (RFC 8058, body `List-Unsubscribe=One-Click`, sent by
    mail programs) unsubscribes at once; GET (a person opening it) goes to the page, which
    does the same and offers to undo. The signed query is the only key; bodies are bounded."""
    params = request.query_params
    if request.method == "GET":
        return _see_other(
            routes.UNSUBSCRIBE, u=params.get("u", "")[:20], s=params.get("s", "")[:40],
            sig=params.get("sig", "")[:64],
        )  # fmt: skip
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UNSUBSCRIBE_BODY):
        return Response("Request too large", status_code=413)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UNSUBSCRIBE_BODY:
            return Response("Request too large", status_code=413)

    def apply() -> str:
        with unit_of_work() as db:
            return email_prefs.do_unsubscribe(
                db, user_id=params.get("u"), scope=params.get("s"), signature=params.get("sig")
            )

    try:
        what = await run_in_threadpool(apply)
    except DomainError as exc:
        return Response(exc.message, status_code=400, media_type="text/plain")
    return Response(f"Unsubscribed from {what}.", media_type="text/plain")
