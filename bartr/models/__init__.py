"""All tables. Importing this package registers every model on SQLModel.metadata."""

from bartr.models import (  # noqa: F401
    accounts,
    courses,
    ledger,
    messaging,
    outbox,
    profiles,
    safety,
    sessions,
    trust,
    video,
)
