"""The whole schema: every table of every model module, on one metadata.

``models.py`` holds the evaluation records; ``accounts.py``, ``collect.py`` and ``contracts.py`` add
their tables to the same ``Base``. Whatever needs all tables at once (Alembic, backup, erasure,
the reference checks) imports ``metadata`` from here, so no model module imports another back.
"""

from __future__ import annotations

from kirkpatrick.storage import accounts, collect, contracts, models

metadata = models.Base.metadata

__all__ = ["accounts", "collect", "contracts", "metadata", "models"]
