"""The Database: one SQLite writer with group commit, parallel readers, URI normalization."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError
from ardea.store.sql._db.engine import Database, normalize_uri


@pytest.fixture
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'e.db'}")
    database.write(lambda c: c.exec_driver_sql("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)"))
    yield database
    database.close()


def _count(db: Database) -> int:
    return db.read(lambda c: c.exec_driver_sql("SELECT count(*) FROM t").scalar())


def test_pragmas(db: Database) -> None:
    def pragmas(conn: sa.Connection) -> tuple:
        return tuple(
            conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        )

    assert db.read(pragmas) == ("wal", 1, 30000, 1)
    assert db.write(pragmas) == ("wal", 1, 30000, 1)


def test_sixteen_threads_write_concurrently(db: Database) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for j in range(200):
                db.write(
                    lambda c, k=n * 1000 + j: c.execute(
                        sa.text("INSERT INTO t VALUES (:a, 'x')"), {"a": k}
                    )
                )
                if j % 50 == 0:
                    _count(db)  # readers run alongside the writer
        except BaseException as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert _count(db) == 16 * 200


def _blocked_writer(db: Database) -> threading.Event:
    """Occupy the writer until the returned event is set, so later ops queue up together."""
    release = threading.Event()
    started = threading.Event()

    def hold(_conn: sa.Connection) -> None:
        started.set()
        release.wait(10)

    db.submit_write(hold)
    started.wait(10)
    return release


def test_failing_op_in_group_does_not_lose_others(db: Database) -> None:
    release = _blocked_writer(db)

    def insert(k: int):
        return lambda c: c.execute(sa.text("INSERT INTO t VALUES (:a, 'y')"), {"a": k}).rowcount

    def boom(conn: sa.Connection) -> None:
        conn.execute(sa.text("INSERT INTO t VALUES (100, 'partial')"))
        raise ValueError("boom")

    futures = [db.submit_write(insert(1)), db.submit_write(boom), db.submit_write(insert(2))]
    dup = db.submit_write(insert(1))  # primary key conflict with the first op
    release.set()
    assert futures[0].result(10) == 1
    with pytest.raises(ValueError, match="boom"):
        futures[1].result(10)
    assert futures[2].result(10) == 1
    with pytest.raises(sa.exc.IntegrityError):
        dup.result(10)
    rows = db.read(lambda c: c.exec_driver_sql("SELECT a FROM t ORDER BY a").scalars().all())
    assert rows == [1, 2]  # the failing op's own insert was rolled back to its savepoint


def test_single_failing_op_raises_to_caller(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        db.write(lambda c: (c.exec_driver_sql("INSERT INTO t VALUES (7, 'z')"), 1 / 0))
    assert _count(db) == 0
    assert db.write(lambda c: 42) == 42


def test_nested_write_from_writer_thread(db: Database) -> None:
    def outer(conn: sa.Connection) -> int:
        conn.exec_driver_sql("INSERT INTO t VALUES (1, 'outer')")
        return db.write(lambda c: c.exec_driver_sql("INSERT INTO t VALUES (2, 'inner')").rowcount)

    assert db.write(outer) == 1
    assert _count(db) == 2


def test_close_drains_queue_and_rejects_new_writes(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.write(lambda c: c.exec_driver_sql("CREATE TABLE t (a INTEGER)"))
    futures = [
        db.submit_write(lambda c, k=k: c.exec_driver_sql(f"INSERT INTO t VALUES ({k})"))
        for k in range(50)
    ]
    db.close()
    assert all(f.done() and f.exception() is None for f in futures)
    assert db.closed
    with pytest.raises(RuntimeError):
        db.write(lambda c: None)
    reopened = Database(f"sqlite:///{tmp_path / 'c.db'}")
    assert reopened.read(lambda c: c.exec_driver_sql("SELECT count(*) FROM t").scalar()) == 50
    reopened.close()


def test_in_memory_database() -> None:
    db = Database("sqlite://")
    db.write(lambda c: c.exec_driver_sql("CREATE TABLE t (a INTEGER)"))
    db.write(lambda c: c.exec_driver_sql("INSERT INTO t VALUES (1)"))
    assert db.read(lambda c: c.exec_driver_sql("SELECT count(*) FROM t").scalar()) == 1
    db.close()


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("mysql://u:p@h/db", "mysql+pymysql://u:p@h/db?charset=utf8mb4"),
        ("mysql://u@h/db?ssl=1", "mysql+pymysql://u@h/db?ssl=1&charset=utf8mb4"),
        ("mariadb://u:p@h/db", "mysql+pymysql://u:p@h/db?charset=utf8mb4"),
        ("mariadb+pymysql://u@h/db", "mysql+pymysql://u@h/db?charset=utf8mb4"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_normalize_uri(uri: str, expected: str) -> None:
    assert normalize_uri(uri) == expected


@pytest.mark.parametrize("uri", ["mongodb://h/db", "just-a-path"])
def test_normalize_uri_rejects(uri: str) -> None:
    with pytest.raises(InvalidArgumentError):
        normalize_uri(uri)


@pytest.mark.postgres
def test_postgres_write_and_read(postgres_uri: str) -> None:
    db = Database(postgres_uri)
    assert db.dialect == "postgresql"
    assert db.write(lambda c: c.exec_driver_sql("SELECT 1").scalar()) == 1
    future = db.submit_write(lambda c: c.exec_driver_sql("SELECT 2").scalar())
    assert future.result(10) == 2
    assert db.read(lambda c: c.exec_driver_sql("SELECT 3").scalar()) == 3
    db.close()


@pytest.mark.mysql
def test_mariadb_connections_run_without_the_lateral_derived_plan(mysql_uri: str) -> None:
    """MariaDB's split-materialized plan ranks logged models by a stale metric (MDEV-37057)."""
    db = Database(mysql_uri)
    try:
        version = str(db.read(lambda c: c.exec_driver_sql("SELECT VERSION()").scalar()))
        switches = db.read(lambda c: c.exec_driver_sql("SELECT @@optimizer_switch").scalar())
        written = db.write(lambda c: c.exec_driver_sql("SELECT @@optimizer_switch").scalar())
    finally:
        db.close()
    if "mariadb" not in version.lower():
        pytest.skip("MySQL has no split_materialized switch")  # pragma: no cover
    assert "split_materialized=off" in str(switches).split(",")
    assert "split_materialized=off" in str(written).split(",")


def test_unopenable_database_reports_errors_instead_of_hanging(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(sa.exc.OperationalError):
        db.write(lambda c: c.exec_driver_sql("SELECT 1"))
    with pytest.raises(sa.exc.OperationalError):
        db.write(lambda c: c.exec_driver_sql("SELECT 1"))
    db.close()


def test_close_races_with_writers(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    db.write(lambda c: c.exec_driver_sql("CREATE TABLE t (a INTEGER)"))
    outcomes: list[str] = []

    def writer() -> None:
        for _ in range(200):
            try:
                db.write(lambda c: c.exec_driver_sql("INSERT INTO t VALUES (1)"))
            except RuntimeError:
                outcomes.append("closed")
                return
        outcomes.append("done")

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for th in threads:
        th.start()
    db.close()
    for th in threads:
        th.join(30)
    assert not any(th.is_alive() for th in threads)  # nobody waits on a write that never runs
    assert len(outcomes) == 4


# ------------------------------------------------------------------ searches: the time limit

_SLOW = {
    # A recursive count that takes seconds; SQLite's progress handler interrupts it.
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000)"
    " SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(5)",
    "mysql": "SELECT SLEEP(5) FROM (SELECT 1 AS one) AS x",
}


@pytest.fixture(params=["sqlite", "sqlite-memory", "postgres", "mysql"])
def search_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    if request.param == "sqlite-memory":
        return "sqlite://"
    return str(request.getfixturevalue(f"{request.param}_uri"))


def test_a_search_past_its_time_limit_is_a_400_and_the_connection_stays_usable(
    search_uri: str,
) -> None:
    database = Database(search_uri, pool_size=1, search_timeout_s=0.3)
    try:
        slow = _SLOW[database.dialect]
        # The statement finishes normally unless the database interrupts it, so the error
        # itself shows the limit cut it short.
        with pytest.raises(InvalidArgumentError, match=r"took longer than 0\.3 s.*narrow"):
            database.search(lambda c: c.exec_driver_sql(slow).all())
        # The pooled connection answers plain reads without any limit left on it.
        assert database.search(lambda c: c.exec_driver_sql("SELECT 1").scalar()) == 1
        if database.dialect == "mysql":
            leftover = database.read(
                lambda c: c.exec_driver_sql("SELECT @@SESSION.max_statement_time").scalar()
            )
            assert float(leftover) == 0
        if database.dialect == "postgresql":
            setting = database.read(lambda c: c.exec_driver_sql("SHOW statement_timeout").scalar())
            assert setting == "0"
    finally:
        database.close()


def test_no_limit_when_the_timeout_is_zero(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'z.db'}", search_timeout_s=0)
    try:
        count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)"
        assert database.search(lambda c: c.exec_driver_sql(count + " SELECT count(*) FROM c")
                               .scalar()) == 300000  # fmt: skip
    finally:
        database.close()


def test_a_search_too_big_for_sqlite_is_a_400(db: Database) -> None:
    deep = "SELECT " + "1 + " * 1100 + "1"
    with pytest.raises(InvalidArgumentError, match=r"too big for the database.*narrow"):
        db.search(lambda c: c.exec_driver_sql(deep).scalar())
    with pytest.raises(sa.exc.OperationalError):  # plain reads are not reworded
        db.read(lambda c: c.exec_driver_sql(deep).scalar())


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 30.0), ("", 30.0), ("0", 0.0), ("2.5", 2.5), (" 7 ", 7.0)]
)
def test_search_timeout_from_env(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: float
) -> None:
    from ardea.store.sql._db.engine import search_timeout_from_env

    if value is None:
        monkeypatch.delenv("ARDEA_SEARCH_TIMEOUT_SECONDS", raising=False)
    else:
        monkeypatch.setenv("ARDEA_SEARCH_TIMEOUT_SECONDS", value)
    assert search_timeout_from_env() == expected


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_search_timeout_from_env_rejects(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from ardea.store.sql._db.engine import search_timeout_from_env

    monkeypatch.setenv("ARDEA_SEARCH_TIMEOUT_SECONDS", value)
    with pytest.raises(InvalidArgumentError, match="ARDEA_SEARCH_TIMEOUT_SECONDS"):
        search_timeout_from_env()


# ------------------------------------------------------------- SQLite durability (synchronous)


def _synchronous(database: Database) -> tuple[int, int]:
    def pragma(conn: sa.Connection) -> int:
        return int(conn.exec_driver_sql("PRAGMA synchronous").scalar())

    return database.read(pragma), database.write(pragma)


@pytest.mark.parametrize(
    ("argument", "env", "expected"),
    [
        (None, None, (1, 1)),  # NORMAL
        ("full", None, (2, 2)),  # FULL, on the reader pool and on the writer
        ("FULL", None, (2, 2)),
        (None, "full", (2, 2)),
        (None, " Full ", (2, 2)),
        ("normal", "full", (1, 1)),  # the argument wins
    ],
)
def test_sqlite_synchronous_is_in_effect_on_every_connection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argument: str | None,
    env: str | None,
    expected: tuple[int, int],
) -> None:
    if env is None:
        monkeypatch.delenv("ARDEA_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("ARDEA_SQLITE_SYNCHRONOUS", env)
    database = Database(f"sqlite:///{tmp_path / 'd.db'}", sqlite_synchronous=argument)
    try:
        assert _synchronous(database) == expected
        assert database.sqlite_synchronous == ("full" if expected == (2, 2) else "normal")
    finally:
        database.close()


@pytest.mark.parametrize("value", ["off", "extra", "2", "fsync"])
def test_sqlite_synchronous_rejects_other_modes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    with pytest.raises(InvalidArgumentError, match="normal, full"):
        Database(f"sqlite:///{tmp_path / 'x.db'}", sqlite_synchronous=value)
    monkeypatch.setenv("ARDEA_SQLITE_SYNCHRONOUS", value)
    with pytest.raises(InvalidArgumentError, match="ARDEA_SQLITE_SYNCHRONOUS"):
        Database(f"sqlite:///{tmp_path / 'y.db'}")


def test_postgres_refusing_a_nul_is_a_400_not_a_500(postgres_uri: str) -> None:
    """The safety net behind the stores' validation: PostgreSQL's DataError for NUL."""
    database = Database(postgres_uri, pool_size=1)
    try:
        query = sa.text("SELECT CAST(:v AS TEXT)")
        with pytest.raises(InvalidArgumentError, match="NUL characters are not allowed"):
            database.read(lambda c: c.execute(query, {"v": "a\x00b"}).scalar())
        with pytest.raises(InvalidArgumentError, match="NUL characters are not allowed"):
            database.write(lambda c: c.execute(query, {"v": "a\x00b"}).scalar())
        assert database.read(lambda c: c.execute(query, {"v": "ab"}).scalar()) == "ab"
    finally:
        database.close()


def test_a_write_without_foreign_keys_runs_alone_and_turns_them_back_on(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fk.db'}")
    try:

        def pragma(conn: sa.Connection) -> int:
            return int(conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one())

        assert db.write(pragma) == 1
        assert db.write_without_foreign_keys(pragma) == 0
        assert db.write(pragma) == 1  # on again for every later write
        results = [db.submit_write(pragma) for _ in range(5)]
        off = db.submit_write(pragma, foreign_keys=False)
        after = [db.submit_write(pragma) for _ in range(5)]
        assert [f.result() for f in results] == [1] * 5
        assert off.result() == 0
        assert [f.result() for f in after] == [1] * 5
    finally:
        db.close()


@pytest.mark.postgres
def test_postgres_reads_and_writes_survive_connections_the_server_closed(
    postgres_uri: str,
) -> None:
    """No pre-ping: a pooled connection the server dropped fails, and the work runs again."""
    db = Database(postgres_uri, pool_size=2)
    admin = Database(postgres_uri, pool_size=1)
    try:
        pid = db.read(lambda c: int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
        admin.write(lambda c: c.exec_driver_sql("SELECT pg_terminate_backend(%s)", (pid,)).scalar())
        again = db.read(lambda c: int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
        assert again != pid

        pid = again
        admin.write(lambda c: c.exec_driver_sql("SELECT pg_terminate_backend(%s)", (pid,)).scalar())
        assert db.write(lambda c: c.exec_driver_sql("SELECT 41 + 1").scalar_one()) == 42
    finally:
        db.close()
        admin.close()


@pytest.mark.postgres
def test_postgres_write_lost_before_commit_runs_again_and_commits_once(postgres_uri: str) -> None:
    db = Database(postgres_uri, pool_size=1)
    table = "ardea_test_stale_write"
    try:
        db.write(lambda c: c.exec_driver_sql(f"DROP TABLE IF EXISTS {table}"))
        db.write(lambda c: c.exec_driver_sql(f"CREATE TABLE {table} (i INT)"))
        calls = []

        def op(conn: sa.Connection) -> int:
            calls.append(1)
            conn.exec_driver_sql(f"INSERT INTO {table} VALUES (1)")
            if len(calls) == 1:  # the connection dies mid-transaction, before COMMIT
                conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")
            return len(calls)

        assert db.write(op) == 2
        assert db.read(lambda c: c.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()) == 1
    finally:
        db.write(lambda c: c.exec_driver_sql(f"DROP TABLE IF EXISTS {table}"))
        db.close()


def test_pool_size_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ardea.store.sql._db.engine import DEFAULT_POOL_SIZE, pool_size_from_env

    monkeypatch.delenv("ARDEA_DB_POOL_SIZE", raising=False)
    assert pool_size_from_env() == DEFAULT_POOL_SIZE
    monkeypatch.setenv("ARDEA_DB_POOL_SIZE", "3")
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        assert db.read_engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        db.close()
    for bad in ("0", "-1", "two", "1.5", "1001"):
        monkeypatch.setenv("ARDEA_DB_POOL_SIZE", bad)
        with pytest.raises(InvalidArgumentError, match="ARDEA_DB_POOL_SIZE"):
            Database(f"sqlite:///{tmp_path / 'q.db'}")
