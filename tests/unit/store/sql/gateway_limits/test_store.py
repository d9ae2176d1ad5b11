"""The SQL counter store: expired rows are purged, live ones kept; alert flags are set once."""

from __future__ import annotations

from pathlib import Path

from ardea.store.gateway_limits import Charge
from ardea.store.sql.backend import open_database
from ardea.store.sql.gateway_limits import SqlCounterStore


def test_purge_and_alert_flag(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        store = SqlCounterStore(db)
        assert store.charge([Charge("old", 0, 100, 3), Charge("new", 0, 1000, 4)]) is None
        assert store.purge(500) == 1
        assert store.read([("old", 0), ("new", 0)]) == [0, 4]
        assert store.mark_alerted("new", 0, 1000) and not store.mark_alerted("new", 0, 1000)
        assert store.charge([Charge("new", 0, 1000, 2, limit=5)]) == 0  # 4 + 2 > 5
        assert store.charge([]) is None and store.read([]) == []
    finally:
        db.close()
