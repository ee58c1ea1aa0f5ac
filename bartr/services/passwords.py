"""Password hashing.

bcrypt reads at most 72 bytes (bcrypt 5 refuses more), so the password is first
reduced with SHA-256 and base64-encoded (44 ASCII bytes, no NUL): every character of a
long passphrase counts.

bcrypt is slow on purpose (~0.2 s at cost 12): never call these on the event loop or
inside a write transaction. At most `password_work_concurrency` run at once per process,
so a flood of logins queues here instead of taking every core from the event loop.
"""

from __future__ import annotations

import base64
import hashlib
import threading

import bcrypt

from bartr.settings import get_settings

_SLOTS: threading.BoundedSemaphore | None = None


def _slots() -> threading.BoundedSemaphore:
    global _SLOTS
    if _SLOTS is None:
        _SLOTS = threading.BoundedSemaphore(max(1, get_settings().password_work_concurrency))
    return _SLOTS


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, *, rounds: int | None = None) -> str:
    cost = rounds if rounds is not None else get_settings().bcrypt_rounds
    with _slots():
        return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    try:
        with _slots():
            return bcrypt.checkpw(_prehash(password), hashed.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


# Used for unknown emails so a failed login costs the same time either way.
_DUMMY_HASH: str | None = None


def burn_time() -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    verify_password("still-not-a-password", _DUMMY_HASH)
