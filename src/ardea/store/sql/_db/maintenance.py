"""Keep PostgreSQL planner statistics fresh for the search queries.

A table that grew fast since its last ``ANALYZE`` (a fresh database filled by a training
sweep, say) can make PostgreSQL pick a nested loop over an index on ``latest_metrics(key,
value)`` for metric ordering, turning a 10 ms search into seconds. Autovacuum fixes this
within about a minute; :class:`StatsRefresher` fixes it at the next search: at most every
few seconds it reads ``pg_stat_user_tables`` and analyzes the search tables that changed a
lot (run, trace and registry tables alike). SQLite and MySQL need nothing here.
"""

from __future__ import annotations

import threading
import time
import weakref

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.sql._db.engine import Database

__all__ = ["SEARCH_TABLES", "StatsRefresher", "stats_for"]

SEARCH_TABLES = (
    "runs", "latest_metrics", "params", "run_tags", "experiments", "experiment_tags",
    "logged_models", "traces", "trace_tags", "trace_metadata", "spans", "assessments",
    "registered_models", "registered_model_tags", "model_versions", "model_version_tags",
)  # fmt: skip
"""Tables the search queries (runs, traces, registry) join and order on."""

_refreshers: weakref.WeakKeyDictionary[Database, StatsRefresher] = weakref.WeakKeyDictionary()
_refreshers_lock = threading.Lock()


def stats_for(db: Database) -> StatsRefresher:
    """The one :class:`StatsRefresher` of ``db``.

    Shared by the database's tracking, trace and registry stores, so a check runs at most
    every few seconds per database.
    """
    with _refreshers_lock:
        found = _refreshers.get(db)
        if found is None:
            found = _refreshers[db] = StatsRefresher(db)
        return found


_MIN_CHANGES = 500
_FRACTION = 0.2


class StatsRefresher:
    """Analyze stale search tables of a PostgreSQL database, at most every ``interval_s``.

    Args:
        db: The database (a no-op unless it is PostgreSQL).
        interval_s: Least seconds between two checks.
    """

    def __init__(self, db: Database, interval_s: float = 5.0) -> None:
        self._db = db
        self._interval = interval_s
        self._next_check = 0.0
        self._lock = threading.Lock()

    def maybe_refresh(self) -> list[str]:
        """Analyze the search tables whose statistics are stale; return their names."""
        if self._db.dialect != "postgresql":
            return []
        now = time.monotonic()
        with self._lock:
            if now < self._next_check:
                return []
            self._next_check = now + self._interval
        stale = self._db.read(_stale_tables)
        if stale:
            self._db.write(lambda conn: conn.execute(sa.text(f"ANALYZE {', '.join(stale)}")))
        return stale


def _stale_tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        sa.text(
            "SELECT relname, n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(:names)"
        ),
        {"names": list(SEARCH_TABLES)},
    )
    stale = []
    for name, live, changed in rows:
        before = max(int(live or 0) - int(changed or 0), 0)
        if changed and changed >= _MIN_CHANGES and changed > _FRACTION * before:
            stale.append(str(name))
    return sorted(stale)
