"""All tables. Importing this package registers every model on SQLModel.metadata."""

from bartr.models import accounts, ledger, messaging, profiles, safety, sessions, trust  # noqa: F401
