"""SQLite's online backup while a writer commits, and the restore of that backup."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ardea.entities.run import Metric
from ardea.store.sql._db.backup import (
    MAX_RESTARTS,
    BackupError,
    backup_sqlite,
    check_sqlite_backup,
    restore_sqlite,
)
from ardea.store.sql.backend import open_sql_backend


def _writer(db: Path, experiment_id: str, stop: threading.Event, done: list[str]) -> None:
    backend = open_sql_backend(f"sqlite:///{db}", artifacts_destination=str(db.parent / "a"))
    try:
        i = 0
        while not stop.is_set():
            run = backend.tracking.create_run(experiment_id, run_name=f"r{i}")
            run_id = run.info.run_id
            metrics = [Metric("m", float(s), 1, s) for s in range(20)]
            backend.tracking.log_batch(run_id, metrics=metrics, params=[], tags=[])
            done.append(run_id)  # committed: both writes returned
            i += 1
    finally:
        backend.close()


@pytest.mark.parametrize("pages", [1, 1024])
def test_a_backup_taken_while_writing_restores_every_committed_write(
    tmp_path: Path, pages: int
) -> None:
    db = tmp_path / "live.db"
    backend = open_sql_backend(f"sqlite:///{db}", artifacts_destination=str(tmp_path / "a"))
    experiment_id = backend.tracking.create_experiment("busy")
    backend.close()
    stop = threading.Event()
    done: list[str] = []
    writer = threading.Thread(target=_writer, args=(db, experiment_id, stop, done))
    writer.start()
    steps: list[tuple[int, int]] = []
    try:
        while len(done) < 30:
            stop.wait(0.01)
            assert writer.is_alive()
        committed_before = list(done)
        backup_sqlite(
            db, tmp_path / "b" / "copy.db", pages=pages, progress=lambda d, t: steps.append((d, t))
        )
        committed_after = len(done)
    finally:
        stop.set()
        writer.join()
    assert steps and steps[-1][0] == steps[-1][1]  # the last report: every page copied
    copy = tmp_path / "b" / "copy.db"
    check_sqlite_backup(copy)
    assert not (tmp_path / "b" / ".copy.db.partial").exists()

    restored = tmp_path / "restored" / "ardea.db"
    restore_sqlite(copy, restored)
    back = open_sql_backend(f"sqlite:///{restored}", artifacts_destination=str(tmp_path / "a"))
    try:
        runs = back.tracking.search_runs([experiment_id], max_results=50_000)
        ids = {r.info.run_id for r in runs}
        assert set(committed_before) <= ids
        assert len(ids) <= committed_after + 1  # nothing invented (one may be half-logged)
        for run_id in committed_before:
            history = back.tracking.get_metric_history(run_id, "m")
            assert sorted(m.step for m in history) == list(range(20))
    finally:
        back.close()
    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_bad_backups_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        check_sqlite_backup(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not a backup of an Ardea"):
        restore_sqlite(other, tmp_path / "target.db")
    assert not (tmp_path / "target.db").exists()
    with pytest.raises(BackupError, match="no database file"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "x.db")


def test_a_backup_restarted_by_every_step_finishes_in_one_step(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    backend = open_sql_backend(f"sqlite:///{db}", artifacts_destination=str(tmp_path / "a"))
    experiment_id = int(backend.tracking.create_experiment("busy"))
    backend.close()
    other = sqlite3.connect(db, isolation_level=None)  # another connection writes each step
    left: list[int] = []

    def write_between_steps(done: int, total: int) -> None:
        left.append(total - done)
        other.execute(
            "INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, 'v', ?)",
            (f"k{len(left)}", experiment_id),
        )

    try:
        backup_sqlite(db, tmp_path / "copy.db", pages=5, progress=write_between_steps)
    finally:
        other.close()
    # Every paged step restarted; after MAX_RESTARTS the rest went in one step.
    assert left[-1] == 0 and len(left) == MAX_RESTARTS + 2
    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        (tags,) = copy.execute("SELECT count(*) FROM experiment_tags").fetchone()
    finally:
        copy.close()
    assert tags == len(left) - 1  # all but the write after the final step
