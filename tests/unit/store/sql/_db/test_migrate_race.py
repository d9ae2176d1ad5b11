"""Two processes opening (and so migrating) one empty PostgreSQL database at the same moment.

This is what several ``ardea server`` replicas do when they start together: each runs the
migrations on open. The advisory lock of ``migrate.upgrade_connection`` serializes them: both
processes open the database, it ends at the head revision with one Default experiment.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql._db.migrate import HEAD_REVISION, VERSION_TABLE

CHILD = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
from ardea.store.sql.backend import open_sql_backend  # imports done before the start line
Path(sys.argv[3]).touch()  # ready
while not go.exists():
    time.sleep(0.001)
open_sql_backend(sys.argv[1]).close()
print("opened")
"""


@pytest.mark.postgres
def test_two_processes_migrate_one_empty_database_at_once(
    postgres_uri: str, tmp_path: Path
) -> None:
    schema = "ardea_migrate_race"
    engine = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(2)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, uri, str(go), str(ready[i])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    while not all(r.exists() for r in ready):  # both imported, waiting on the start line
        assert all(c.poll() is None for c in children), [c.communicate() for c in children]
        time.sleep(0.01)
    go.touch()
    for child in children:
        out, err = child.communicate(timeout=240)
        assert child.returncode == 0, err
        assert out.strip() == "opened"
    with engine.begin() as conn:
        conn.execute(sa.text(f"SET search_path TO {schema}"))
        versions = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
        assert [v[0] for v in versions] == [HEAD_REVISION]
        names = conn.execute(sa.text("SELECT name FROM experiments")).scalars().all()
        assert names == ["Default"]
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
