"""All tables. Importing this package registers every model on SQLModel.metadata."""

from bartr.models import accounts, ledger, profiles, safety, sessions, trust  # noqa: F401
