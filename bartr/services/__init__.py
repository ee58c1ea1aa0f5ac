"""BARTR's domain services.

Features that react to domain events subscribe when their module loads; the ones that must
always be listening are imported here, so any use of the services package has them.
"""

from bartr.services import trust as _trust  # noqa: F401  (recomputes stats on session changes)
