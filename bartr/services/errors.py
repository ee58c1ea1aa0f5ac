"""Typed domain errors. Their message is written to be shown to a person as-is."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a service can make; `field` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input does not satisfy a rule; nothing was written."""


class NotAllowed(DomainError):
    """The acting user may not do this."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the actor)."""


class AuthenticationFailed(DomainError):
    """Bad credentials, expired or revoked session; deliberately vague."""


class TooManyAttempts(DomainError):
    """Login throttled after repeated failures."""


class InsufficientCredits(DomainError):
    """A wallet would go below zero."""


class InvalidTransition(DomainError):
    """A session state change that the state machine does not allow now."""


class Conflict(DomainError):
    """The change clashes with existing data (duplicate, overlap, concurrent edit)."""


class BadSignature(DomainError):
    """A webhook whose signature or timestamp does not check out; nothing was done."""


class PaymentProviderError(DomainError):
    """The payment provider could not be reached or refused the request; nothing was charged."""


class RatingRequired(NotAllowed):
    """A learner must rate their completed sessions before requesting another one."""

    def __init__(self, message: str, *, session_id: int) -> None:
        super().__init__(message)
        self.session_id = session_id  # the first session waiting for a rating (link to its form)
