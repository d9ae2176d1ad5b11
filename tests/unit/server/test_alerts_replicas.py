"""Two server replicas on one PostgreSQL database race for the alert evaluator's pass.

Each replica is a real app (``create_app``) on its own backend of one database. A barrier
starts their timer steps together, many times over: exactly one of them runs the pass each
time (it holds the ``alerts`` lease and renews it), and once it releases the lease (a clean
stop), the other takes over at its next step.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ardea.server.alerts import LEASE_NAME
from ardea.server.app import create_app
from ardea.server.deps import ServerDeps, ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend

pytestmark = pytest.mark.postgres

SCHEMA = "ardea_alert_replicas"


@pytest.fixture
def replicas(postgres_uri: str) -> Iterator[list[Backend]]:
    """Two backends on one fresh PostgreSQL schema."""
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{SCHEMA}"
    backends = [open_sql_backend(uri), open_sql_backend(uri)]
    yield backends
    for backend in backends:
        backend.close()
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
    engine.dispose()


def _step_together(evaluators: list[Any]) -> list[bool]:
    """One timer step of each evaluator, started together; which of them ran a pass."""
    barrier = threading.Barrier(len(evaluators))
    ran: list[bool | None] = [None] * len(evaluators)

    def step(i: int) -> None:
        barrier.wait()
        ran[i] = evaluators[i].tick() is not None

    threads = [threading.Thread(target=step, args=(i,)) for i in range(len(evaluators))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [bool(r) for r in ran]


def test_exactly_one_replica_evaluates_each_tick(replicas: list[Backend]) -> None:
    apps = [create_app(ServerDeps(backend, ServerSettings())) for backend in replicas]
    evaluators = [app.state.ardea.alerts for app in apps]
    assert evaluators[0].holder != evaluators[1].holder
    steps = [_step_together(evaluators) for _ in range(25)]
    assert all(sum(ran) == 1 for ran in steps)
    first = steps[0].index(True)
    assert all(ran[first] for ran in steps)  # the holder renews its lease
    assert evaluators[first].passes == 25 and evaluators[1 - first].passes == 0
    assert replicas[0].leases.holder_of(LEASE_NAME) == evaluators[first].holder
    other = evaluators[1 - first]
    assert other.tick() is None
    evaluators[first].release()  # what a clean stop does (its timer stops too)
    assert other.tick() is not None
    assert replicas[1].leases.holder_of(LEASE_NAME) == evaluators[1 - first].holder
