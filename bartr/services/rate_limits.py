"""Attempts per client address: a sliding window kept in this process's memory.

Login and sign-up are limited per address besides the per-email lock (accounts), so one
address cannot try many emails, nor create accounts in bulk. The window lives in memory,
not the database: a flood of refused attempts writes nothing and takes no lock. With
several app processes each keeps its own window (the limit is per process); the per-email
lock, in the database, holds across all of them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from bartr.services.errors import TooManyAttempts
from bartr.settings import get_settings

MAX_KEYS = 50_000  # forget the oldest addresses past this many (bounded memory)


@dataclass
class SlidingWindow:
    limit: int
    seconds: float
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, *, now: float | None = None) -> float:
        """Count one attempt; 0.0 if allowed, else the seconds until one is allowed again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= MAX_KEYS:
                    self._hits.pop(next(iter(self._hits)))
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1.0, hits[0] + self.seconds - now)
            hits.append(now)
            return 0.0

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


_WINDOWS: dict[str, SlidingWindow] = {}
_WINDOWS_LOCK = threading.Lock()


def _window(action: str) -> SlidingWindow:
    s = get_settings()
    limit = {"login": s.login_attempts_per_address, "signup": s.signup_attempts_per_address}[action]
    with _WINDOWS_LOCK:
        window = _WINDOWS.get(action)
        if window is None or window.limit != limit:
            window = _WINDOWS[action] = SlidingWindow(limit, s.address_window_minutes * 60)
        return window


def check_address(action: str, address: str | None) -> None:
    """Count an attempt of `action` ("login" or "signup") from `address`; refuse past the
    limit with a message saying when to try again."""
    wait = _window(action).hit(address or "unknown")
    if wait:
        minutes = max(1, int(wait // 60) + (1 if wait % 60 else 0))
        raise TooManyAttempts(
            "Too many attempts from your network. "
            f"Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )


def reset() -> None:
    """Forget every window (tests)."""
    with _WINDOWS_LOCK:
        _WINDOWS.clear()
