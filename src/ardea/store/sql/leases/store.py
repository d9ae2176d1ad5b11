"""``SqlLeaseStore``: named leases in the ``leases`` table (see :mod:`ardea.store.leases`).

Taking a lease is one statement on SQLite and PostgreSQL: an upsert whose update applies only
where the row's lease is up or already the caller's (``INSERT ... ON CONFLICT (name) DO
UPDATE ... WHERE ... RETURNING``): a row comes back only to the caller that took it. MySQL's
``ON DUPLICATE KEY UPDATE`` has no such condition, so there it is a conditional ``UPDATE``
and, for a name never leased, an ``INSERT IGNORE``, in one transaction: both are atomic on
the row, so concurrent callers still get at most one winner. Times are the callers' clocks
(epoch ms): replicas' clocks must agree to well within a lease's length (NTP does).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.leases import LeaseStore, check_lease
from ardea.store.sql._db.engine import Database
from ardea.store.sql.leases.tables import leases

__all__ = ["SqlLeaseStore"]


def _now_ms() -> int:
    return int(time.time() * 1000)


class SqlLeaseStore(LeaseStore):
    """Leases on the tracking database (every workspace shares them: names are global).

    Args:
        db: The backend's database.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """See :meth:`LeaseStore.acquire`."""
        check_lease(name, holder, seconds)
        now = _now_ms()
        row = {"name": name, "holder": holder, "expires": now + int(seconds * 1000)}
        free = sa.or_(leases.c.expires <= now, leases.c.holder == holder)

        def take(conn: Connection) -> bool:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                if dialect == "sqlite":
                    from sqlalchemy.dialects.sqlite import insert
                else:
                    from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
                ins = insert(leases).values(row)
                stmt = ins.on_conflict_do_update(
                    index_elements=["name"],
                    set_={"holder": ins.excluded.holder, "expires": ins.excluded.expires},
                    where=free,
                ).returning(leases.c.holder)  # a row only where it inserted or updated
                return conn.execute(stmt).first() is not None
            moved = conn.execute(
                leases.update()
                .where(leases.c.name == name, free)
                .values(holder=holder, expires=row["expires"])
            ).rowcount
            if moved:
                return True
            return conn.execute(leases.insert().prefix_with("IGNORE").values(row)).rowcount == 1

        return self._db.write(take)

    def release(self, name: str, holder: str) -> bool:
        """See :meth:`LeaseStore.release`."""
        check_lease(name, holder)

        def give_up(conn: Connection) -> bool:
            stmt = (
                leases.update()
                .where(leases.c.name == name, leases.c.holder == holder, leases.c.expires > 0)
                .values(expires=0)
            )
            return bool(conn.execute(stmt).rowcount)

        return self._db.write(give_up)

    def holder_of(self, name: str) -> str | None:
        """See :meth:`LeaseStore.holder_of`."""
        check_lease(name, "-")
        now = _now_ms()

        def read(conn: Connection) -> str | None:
            stmt = sa.select(leases.c.holder).where(leases.c.name == name, leases.c.expires > now)
            found = conn.execute(stmt).scalar_one_or_none()
            return None if found is None else str(found)

        return self._db.read(read)
