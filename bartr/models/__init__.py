"""All tables. Importing this package registers every model on SQLModel.metadata."""

from bartr.models import accounts, courses, ledger, outbox, profiles, safety, sessions, trust  # noqa: F401
