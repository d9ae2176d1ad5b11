"""Hooks the SQL stores call on their :class:`~ardea.store.sql._db.engine.Database`.

The trace stores end traces; online scoring samples them
(``store/sql/online_scoring/sampler.py``). Online scoring's package already depends on the
trace and scorer tables, so the trace and scorer stores reach it through this protocol, set on
the database by ``open_sql_backend``, not through an import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from ardea.store.sql._db.scope import WorkspaceScope

__all__ = ["TraceEndHook"]


class TraceEndHook(Protocol):
    """Called by the trace stores for the traces a write ends (see the sampler)."""

    def in_write(
        self, conn: Connection, scope: WorkspaceScope, experiment_id: int, ended: Sequence[str]
    ) -> Any:
        """Inside the write: what it does now; returns what is left for after the commit."""

    def needs_thread(self, deferred: Any) -> bool:
        """Whether :meth:`after_commit` of ``deferred`` does I/O (run it off the event loop)."""

    def after_commit(self, db: Any, scope: WorkspaceScope, traces: Any, deferred: Any) -> int:
        """After the commit: the rest of the work (never raises)."""

    def forget(self) -> None:
        """A scorer or its config changed: drop what is cached."""

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when rows were stored; returns what stops it."""
