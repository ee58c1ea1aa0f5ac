"""All tables. Importing this package registers every model on SQLModel.metadata."""

from bartr.models import accounts, courses, ledger, profiles, sessions  # noqa: F401
