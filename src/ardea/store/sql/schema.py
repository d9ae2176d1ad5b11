"""The whole SQL schema: every aggregate's tables, on the one shared :data:`metadata`.

Importing this module registers all tables; Alembic's environment and the schema tests use
it. Stores import only their own aggregate's ``tables`` module.
"""

from __future__ import annotations

from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.alerts import tables as _alerts  # noqa: F401 - registers its tables
from ardea.store.sql.auth import tables as _auth  # noqa: F401 - registers its tables
from ardea.store.sql.datasets import tables as _datasets  # noqa: F401 - registers its tables
from ardea.store.sql.gateway import tables as _gateway  # noqa: F401 - registers its tables
from ardea.store.sql.gateway_limits import tables as _gateway_limits  # noqa: F401 - registers its tables
from ardea.store.sql.gateway_usage import tables as _gateway_usage  # noqa: F401 - registers its tables
from ardea.store.sql.importing import tables as _importing  # noqa: F401 - registers its tables
from ardea.store.sql.issues import tables as _issues  # noqa: F401 - registers its tables
from ardea.store.sql.leases import tables as _leases  # noqa: F401 - registers its tables
from ardea.store.sql.online_scoring import tables as _online_scoring  # noqa: F401 - registers its tables
from ardea.store.sql.registry import tables as _registry  # noqa: F401 - registers its tables
from ardea.store.sql.retention import tables as _retention  # noqa: F401 - registers its tables
from ardea.store.sql.review import tables as _review  # noqa: F401 - registers its tables
from ardea.store.sql.scorers import tables as _scorers  # noqa: F401 - registers its tables
from ardea.store.sql.traces import tables as _traces  # noqa: F401 - registers its tables
from ardea.store.sql.tracking import tables as _tracking  # noqa: F401 - registers its tables
from ardea.store.sql.webhooks import tables as _webhooks  # noqa: F401 - registers its tables
from ardea.store.sql.workspaces import tables as _workspaces  # noqa: F401 - registers its tables

__all__ = ["metadata"]
