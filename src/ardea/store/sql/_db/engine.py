"""Database access for the SQL stores: one writer, many readers.

SQLite: every write goes through ONE writer thread fed by a queue, so concurrent callers never
see "database is locked". The writer drains up to :data:`GROUP_COMMIT_MAX` queued operations
into one transaction (group commit), runs each inside its own SAVEPOINT (a failing operation
raises to its own caller only) and resolves the callers' futures only after COMMIT succeeded.
Reads run on separate pooled connections, in parallel (WAL mode).

PostgreSQL and MySQL: :meth:`Database.write` runs the operation in its own transaction on a
pooled connection; there is no writer thread.

Searches read through :meth:`Database.search`: stopped after ``ARDEA_SEARCH_TIMEOUT_SECONDS``
(PostgreSQL ``SET LOCAL statement_timeout``, MariaDB ``max_statement_time``, MySQL
``max_execution_time``, SQLite a progress handler), and answered, like a search the database
refuses as too big, with an :class:`InvalidArgumentError` (400) that says to narrow the filter.
A timeout is the caller's to fix, and MLflow clients retry 5xx answers for minutes: a 503 or
504 would run the same heavy search again seven times.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ardea._core.env import (
    ARDEA_DB_POOL_SIZE,
    ARDEA_SEARCH_TIMEOUT_SECONDS,
    ARDEA_SQLITE_SYNCHRONOUS,
    env_choice,
)
from ardea._core.errors import InvalidArgumentError
from ardea._core.threads import start_daemon
from ardea.store.sql._db.common import raw_cursor
from ardea.store.sql._db.hooks import TraceEndHook
from ardea.store.sql._db.postgres import (
    AsyncAutocommit,
    autocommit_row,
    session_setup,
    synchronous_commit_mode,
)

__all__ = [
    "DEFAULT_POOL_SIZE",
    "DEFAULT_SEARCH_TIMEOUT_S",
    "GROUP_COMMIT_MAX",
    "Database",
    "SQLITE_SYNCHRONOUS_MODES",
    "normalize_uri",
    "pool_size_from_env",
    "search_timeout_from_env",
    "sqlite_synchronous_mode",
]

T = TypeVar("T")

GROUP_COMMIT_MAX = 200
"""Most operations the SQLite writer commits in one transaction."""

SQLITE_SYNCHRONOUS_MODES = ("normal", "full")
"""Accepted values of SQLite's ``synchronous`` setting (``ARDEA_SQLITE_SYNCHRONOUS``).

In WAL mode ``normal`` syncs the WAL only at checkpoints: a commit is durable against a crash
of the process, but a power loss or an OS crash can drop the last commits (the database stays
consistent). ``full`` syncs the WAL at every commit, so an acknowledged write survives a power
loss, at the cost of one fsync per commit (group commit shares it among the writes queued
together)."""

DEFAULT_SEARCH_TIMEOUT_S = 30.0
"""Seconds a search may run when ``ARDEA_SEARCH_TIMEOUT_SECONDS`` is not set."""

_STOP = object()
_PROGRESS_EVERY = 10_000  # SQLite VM instructions between two looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel request)
_MYSQL_TIMEOUTS = {1969, 3024}  # MariaDB max_statement_time, MySQL max_execution_time
_TOO_BIG = (
    "expression tree is too large",  # SQLite, more than 1000 levels
    "too many sql variables",  # SQLite bound values
    "tables in a join",  # SQLite (64), MySQL (61)
    "too many terms in compound select",  # SQLite
    "number of parameters must be between",  # psycopg: more than 65,535 bound values
    "stack depth limit exceeded",  # PostgreSQL
    "thread stack overrun",  # MySQL
)
_RETRIES = 6
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock (PostgreSQL)
_RETRY_MYSQL_CODES = {1205, 1213}  # lock wait timeout, deadlock


def _is_retryable(exc: sa.exc.DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    args: tuple[object, ...] = getattr(orig, "args", ())
    return bool(args) and args[0] in _RETRY_MYSQL_CODES


def _stale(exc: sa.exc.DBAPIError) -> bool:
    """True when ``exc`` came from a connection the server had closed (pool invalidated)."""
    return bool(exc.connection_invalidated)


def normalize_uri(uri: str) -> str:
    """Map a user-facing database URI to the SQLAlchemy URL Ardea uses.

    ``postgresql://`` and ``postgres://`` use psycopg 3, ``mysql://`` uses PyMySQL (utf8mb4);
    ``mariadb://`` is read as ``mysql://`` (one dialect for both servers).

    Raises:
        InvalidArgumentError: The scheme is not SQLite, PostgreSQL or MySQL.
    """
    scheme, sep, rest = uri.partition("://")
    if not sep:
        raise InvalidArgumentError(f"Not a database URI: {uri!r}")
    base = scheme.split("+", 1)[0].lower()
    if base in ("postgresql", "postgres"):
        if "+" not in scheme or base == "postgres":
            scheme = "postgresql+psycopg"
        return f"{scheme}://{rest}"
    if base in ("mysql", "mariadb"):
        # SQLAlchemy's "mysql" dialect serves MariaDB too (``dialect.is_mariadb``); its
        # "mariadb" one would skip the ``mysql_*`` table options and dialect-name checks.
        driver = scheme.split("+", 1)[1] if "+" in scheme else "pymysql"
        scheme = f"mysql+{driver}"
        url = f"{scheme}://{rest}"
        if "charset=" not in rest:
            url += ("&" if "?" in rest else "?") + "charset=utf8mb4"
        return url
    if base == "sqlite":
        return uri
    raise InvalidArgumentError(
        f"Unsupported database URI scheme {scheme!r}: use sqlite, postgresql or mysql"
    )


def search_timeout_from_env() -> float:
    """Seconds a search may run: ``ARDEA_SEARCH_TIMEOUT_SECONDS``, else 30; 0 means no limit.

    Raises:
        InvalidArgumentError: The variable is not a non-negative number.
    """
    raw = os.environ.get(ARDEA_SEARCH_TIMEOUT_SECONDS, "").strip()
    if not raw:
        return DEFAULT_SEARCH_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value < 0:
        raise InvalidArgumentError(
            f"{ARDEA_SEARCH_TIMEOUT_SECONDS} must be a number of seconds (0: no limit), got {raw!r}"
        )
    return value


DEFAULT_POOL_SIZE = 8
"""Pooled connections per process when ``ARDEA_DB_POOL_SIZE`` is not set."""


def pool_size_from_env() -> int:
    """Pooled connections per process: ``ARDEA_DB_POOL_SIZE``, else 8.

    Raises:
        InvalidArgumentError: The variable is not a whole number from 1 to 1000.
    """
    raw = os.environ.get(ARDEA_DB_POOL_SIZE, "").strip()
    if not raw:
        return DEFAULT_POOL_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise InvalidArgumentError(
            f"{ARDEA_DB_POOL_SIZE} must be a whole number of connections from 1 to 1000, "
            f"got {raw!r}"
        )
    return int(raw)


MARIADB_OPTIMIZER_SWITCH = "split_materialized=off"
"""Set on every MariaDB connection: MariaDB 10.x-11.x's "lateral derived" (split-materialized)
plan returns wrong rows for a window function in a derived table joined on its partition column
(MDEV-37057, MDEV-37407), which is how ``search_logged_models`` ranks each model's latest metric.
The optimisation only speeds up joins to ``GROUP BY``/window derived tables, which Ardea's
queries reach through indexes anyway."""


def _mariadb_session(dbapi_conn: Any, _record: Any) -> None:
    """On a MariaDB server (not MySQL), turn off the optimisation that returns wrong rows."""
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute("SELECT VERSION()")
        row = cursor.fetchone()
        if row and "mariadb" in str(row[0]).lower():
            cursor.execute(f"SET SESSION optimizer_switch = '{MARIADB_OPTIMIZER_SWITCH}'")
    finally:
        cursor.close()


def _time_limited(conn: Connection, fn: Callable[[Connection], T], limit: float) -> T:
    """Run ``fn(conn)`` (a read) under the dialect's statement time limit of ``limit`` s."""
    name = conn.dialect.name
    if name == "postgresql":
        # SET LOCAL: until the end of the read transaction, which Database.read rolls back.
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, round(limit * 1000))}")
        return fn(conn)
    if name == "mysql":
        if getattr(conn.dialect, "is_mariadb", False):
            variable, value = "max_statement_time", f"{limit:.3f}"  # seconds, all statements
        else:
            variable, value = "max_execution_time", str(max(1, round(limit * 1000)))  # SELECTs
        conn.exec_driver_sql(f"SET SESSION {variable} = {value}")
        try:
            return fn(conn)
        finally:
            try:  # pooled connections must not keep the limit
                conn.exec_driver_sql(f"SET SESSION {variable} = DEFAULT")
            except sa.exc.DBAPIError:
                conn.invalidate()
    if name == "sqlite":
        raw = conn.connection.driver_connection
        if raw is None:  # pragma: no cover - an open connection always has one
            return fn(conn)
        deadline = time.monotonic() + limit

        def past_deadline() -> int:
            return 1 if time.monotonic() > deadline else 0  # non-zero interrupts the statement

        raw.set_progress_handler(past_deadline, _PROGRESS_EVERY)
        try:
            return fn(conn)
        finally:
            raw.set_progress_handler(None, 0)
    return fn(conn)


def _nul_error(exc: BaseException) -> InvalidArgumentError | None:
    """The 400 for PostgreSQL's refusal of a NUL character, else None.

    A safety net: the stores' validation refuses NUL first (``store.validation``), on every
    backend alike; this keeps a path that missed it from answering a 500.
    """
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    if "cannot contain NUL" in str(orig):
        return InvalidArgumentError(
            "Invalid value supplied: NUL characters are not allowed (PostgreSQL cannot store "
            "or compare them)."
        )
    return None


def _search_error(exc: BaseException, limit: float) -> InvalidArgumentError | None:
    """The 400 for a search the database stopped (time limit) or refused (too big), else None."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    args: tuple[object, ...] = getattr(orig, "args", ())
    text = str(orig).lower()
    timed_out = (
        getattr(orig, "sqlstate", None) == _QUERY_CANCELED
        or (bool(args) and args[0] in _MYSQL_TIMEOUTS)
        or (type(orig).__module__ == "sqlite3" and text == "interrupted")
    )
    if timed_out and limit:
        return InvalidArgumentError(
            f"The search took longer than {limit:g} s and was stopped: narrow the filter (fewer "
            "clauses, more selective values) or search fewer experiments."
        )
    if any(marker in text for marker in _TOO_BIG):
        first_line = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
        return InvalidArgumentError(
            f"The search is too big for the database ({first_line}): narrow the filter."
        )
    return None


@dataclass
class _Op:
    fn: Callable[[Connection], Any]
    future: Future[Any]
    foreign_keys: bool = True  # False: runs alone, with SQLite's foreign keys off


def sqlite_synchronous_mode(value: str | None = None) -> str:
    """SQLite's ``synchronous`` mode: ``value``, else ``ARDEA_SQLITE_SYNCHRONOUS``, else normal.

    Raises:
        InvalidArgumentError: Not one of :data:`SQLITE_SYNCHRONOUS_MODES` (any case).
    """
    mode = env_choice(
        ARDEA_SQLITE_SYNCHRONOUS,
        SQLITE_SYNCHRONOUS_MODES,
        value,
        what="SQLite synchronous mode",
        also=" or --sqlite-synchronous",
    )
    return mode or "normal"


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, Any], None]:
    pragma = f"PRAGMA synchronous={synchronous.upper()}"  # one of SQLITE_SYNCHRONOUS_MODES

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (pysqlite recipe)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        # Switching to WAL takes an exclusive lock that SQLite does not wait for; a file
        # already in WAL (Database switches it once, before any other connection) keeps it.
        if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(pragma)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-32000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    return on_connect


def _sqlite_engine(
    url: str, *, begin: str, pool_size: int, memory: bool, synchronous: str
) -> Engine:
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = sa.pool.StaticPool
    else:
        kwargs.update(poolclass=sa.pool.QueuePool, pool_size=pool_size, max_overflow=64)
    engine = sa.create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas(synchronous))

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


class Database:
    """Connections to one tracking database.

    Args:
        uri: ``sqlite:///path.db`` (``sqlite://`` for in-memory), ``postgresql://...``
            (psycopg 3) or ``mysql://...`` (PyMySQL).
        pool_size: Pooled read connections (and write connections on servers); None reads
            ``ARDEA_DB_POOL_SIZE`` (default 8).
        search_timeout_s: Seconds a :meth:`search` may run (0: no limit); None reads
            ``ARDEA_SEARCH_TIMEOUT_SECONDS`` (default 30).
        sqlite_synchronous: SQLite's ``synchronous`` mode, ``normal`` or ``full`` (see
            :data:`SQLITE_SYNCHRONOUS_MODES`); None reads ``ARDEA_SQLITE_SYNCHRONOUS``
            (default ``normal``). Ignored by other databases.
        pg_synchronous_commit: PostgreSQL's ``synchronous_commit`` for every session; None
            reads ``ARDEA_PG_SYNCHRONOUS_COMMIT`` (default: the server's). Ignored by other
            databases.
    """

    def __init__(
        self,
        uri: str,
        pool_size: int | None = None,
        *,
        search_timeout_s: float | None = None,
        sqlite_synchronous: str | None = None,
        pg_synchronous_commit: str | None = None,
    ) -> None:
        self.search_timeout_s = (
            search_timeout_from_env() if search_timeout_s is None else float(search_timeout_s)
        )
        """Seconds a :meth:`search` may run; 0 means no limit."""
        self.trace_end_hook: TraceEndHook | None = None
        """What samples the traces a write ends (online scoring; set by the backend)."""
        if pool_size is None:
            pool_size = pool_size_from_env()
        self.uri = uri
        self.url = normalize_uri(uri)
        self.dialect = sa.engine.make_url(self.url).get_backend_name()
        self._closed = False
        self._close_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[Any] = []  # read_rows' per-thread SQLite connections
        self._thread: threading.Thread | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.sqlite_synchronous = synchronous = sqlite_synchronous_mode(sqlite_synchronous)
        """SQLite's ``synchronous`` mode on every connection (``normal`` or ``full``)."""
        self.pg_synchronous_commit = (
            synchronous_commit_mode(pg_synchronous_commit) if self.dialect == "postgresql" else None
        )
        """PostgreSQL's ``synchronous_commit`` set on every session (None: the server's)."""
        if self.dialect == "sqlite":
            database = sa.engine.make_url(self.url).database or ""
            self.memory = database in ("", ":memory:") or "mode=memory" in self.url
            self.write_engine = _sqlite_engine(
                self.url,
                begin="BEGIN IMMEDIATE",
                pool_size=1,
                memory=self.memory,
                synchronous=synchronous,
            )
            # An in-memory database exists on one connection only: reads share the writer.
            self.read_engine = (
                self.write_engine
                if self.memory
                else _sqlite_engine(
                    self.url,
                    begin="BEGIN",
                    pool_size=pool_size,
                    memory=False,
                    synchronous=synchronous,
                )
            )
            if not self.memory:  # WAL once, before the writer and readers connect at will
                with contextlib.suppress(sa.exc.DBAPIError):  # writes report an unopenable file
                    self.write_engine.connect().close()
            self._thread = start_daemon(self._writer_loop, f"ardea-sqlite-writer-{id(self):x}")
        else:
            self.memory = False
            # No pre-ping: it costs a round trip on every checkout, i.e. every request. A
            # connection the server dropped (restart, idle timeout) fails its first statement
            # instead; SQLAlchemy then invalidates the whole pool, and read() and write() run
            # the operation again on a fresh connection (see _stale).
            self.write_engine = sa.create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=2 * pool_size,
                pool_pre_ping=False,
                pool_recycle=3600,
            )
            if self.dialect == "mysql":
                event.listen(self.write_engine, "connect", _mariadb_session)
            if self.dialect == "postgresql" and self.pg_synchronous_commit is not None:
                event.listen(
                    self.write_engine, "connect", session_setup(self.pg_synchronous_commit)
                )
            self.read_engine = self.write_engine
        self._async_pg: AsyncAutocommit | None = None
        if self.dialect == "postgresql":
            url = sa.engine.make_url(self.url).set(drivername="postgresql")
            self._async_pg = AsyncAutocommit(
                url.render_as_string(hide_password=False), pool_size, self.pg_synchronous_commit
            )

    # -- public API -------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def is_sqlite(self) -> bool:
        """True for a SQLite database."""
        return self.dialect == "sqlite"

    def pending_writes(self) -> int:
        """Operations queued for the SQLite writer and not yet taken (0 on other databases)."""
        return self._queue.qsize() if self._thread is not None else 0

    def pools(self) -> dict[str, sa.pool.Pool]:
        """The connection pools by role: ``write`` and ``read`` on SQLite, ``shared`` else."""
        if self.write_engine is self.read_engine:
            return {"shared" if not self.is_sqlite else "write": self.write_engine.pool}
        return {"write": self.write_engine.pool, "read": self.read_engine.pool}

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in a write transaction and return its result once committed.

        Raises whatever ``fn`` raised (its changes are rolled back), or the commit error.
        """
        if self._thread is not None and threading.current_thread() is self._thread:
            # A write op that itself writes: run inline in a savepoint of the current batch.
            conn: Connection = self._local.conn
            with conn.begin_nested():
                return fn(conn)
        return self.submit_write(fn).result()

    async def write_async(self, fn: Callable[[Connection], T]) -> T:
        """Async :meth:`write` for an event loop: waits on the writer without a pool thread."""
        if self._thread is None:  # server databases write in the caller's thread
            return await asyncio.to_thread(self.write, fn)
        return await asyncio.wrap_future(self.submit_write(fn))

    def write_statement(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """PostgreSQL: one idempotent statement, committed on its own; its first row.

        None when it failed (nothing written; run the transactional form with :meth:`write`),
        and always on other databases. See :func:`~ardea.store.sql._db.postgres.autocommit_row`.
        """
        if self.dialect != "postgresql" or self._closed:
            return None
        return autocommit_row(self.write_engine, sql, params)

    async def write_statement_async(
        self, sql: str, params: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """:meth:`write_statement` awaited on the event loop (no thread hand-off)."""
        if self._async_pg is None or self._closed:
            return None
        return await self._async_pg.row(sql, params)

    def write_without_foreign_keys(self, fn: Callable[[Connection], T]) -> T:
        """:meth:`write` with SQLite's foreign key enforcement off (schema migrations only).

        SQLite changes a table's constraints only by rebuilding it, and dropping the old copy
        of a parent table with foreign keys on would cascade into its children. The pragma
        cannot change inside a transaction, so the writer runs ``fn`` alone, in its own
        transaction, between turning enforcement off and on again. Other databases: as
        :meth:`write`.
        """
        if self._thread is None:
            return self.write(fn)
        return self.submit_write(fn, foreign_keys=False).result()

    def submit_write(
        self, fn: Callable[[Connection], T], *, foreign_keys: bool = True
    ) -> Future[T]:
        """Queue ``fn`` for the writer; the future resolves after its transaction committed."""
        if self._closed:
            raise RuntimeError("Database is closed")
        future: Future[T] = Future()
        if self._thread is None:
            if future.set_running_or_notify_cancel():
                try:
                    result = self._write_with_retry(fn)
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            return future
        with self._close_lock:  # never queue behind the stop marker
            if self._closed:
                raise RuntimeError("Database is closed")
            self._queue.put(_Op(fn, future, foreign_keys))
        return future

    def _write_with_retry(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` in its own transaction, retried after a deadlock or serialization failure.

        The server rolled such a transaction back entirely, so running ``fn`` again is safe.
        """
        for attempt in range(_RETRIES):
            committing = False
            try:
                with self.write_engine.connect() as conn, conn.begin():
                    result = fn(conn)
                    committing = True  # leaving the block sends COMMIT
                return result
            except sa.exc.DBAPIError as exc:
                nul = _nul_error(exc)
                if nul is not None:
                    raise nul from exc
                # A connection lost before COMMIT was sent committed nothing: safe to run
                # again. Lost during COMMIT, the outcome is unknown: the caller must see it.
                stale = _stale(exc) and not committing
                if attempt == _RETRIES - 1 or not (stale or _is_retryable(exc)):
                    raise
                time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn`` on a read connection (one consistent snapshot) and return its result."""
        if self.memory:
            return self.write(fn)
        try:
            try:
                return self._read_once(fn)
            except sa.exc.DBAPIError as exc:
                if self.dialect == "sqlite" or not _stale(exc):
                    raise
                return self._read_once(fn)  # the pool was invalidated: a fresh connection
        except Exception as exc:
            nul = _nul_error(exc) if self.dialect == "postgresql" else None
            if nul is None:
                raise
            raise nul from exc

    def _read_once(self, fn: Callable[[Connection], T]) -> T:
        with self.read_engine.connect() as conn:
            try:
                return fn(conn)
            finally:
                if not conn.invalidated:
                    conn.rollback()

    def read_rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """The rows of one small read statement in raw SQL, on the cheapest path there is.

        For per-request lookups (the access checks'): on a SQLite file each thread keeps one
        autocommit connection of its own (a statement is its own consistent snapshot), which
        skips the pool's checkout, ``BEGIN`` and rollback (tens of microseconds a call); other
        databases read through the pool as :meth:`read` does. ``sql`` takes DB-API
        placeholders: ``?`` for SQLite, ``%s`` for PostgreSQL and MySQL.
        """
        if self.dialect != "sqlite" or self.memory:

            def op(conn: Connection) -> list[Any]:
                cursor = raw_cursor(conn)
                try:
                    cursor.execute(sql, params)
                    return list(cursor.fetchall())
                finally:
                    cursor.close()

            return self.read(op)
        raw: Any = getattr(self._local, "reader", None)
        if raw is None:
            if self._closed:
                raise RuntimeError("Database is closed")
            fairy = self.read_engine.raw_connection()
            fairy.detach()  # ours for this thread's life; closed by close()
            raw = self._local.reader = fairy.dbapi_connection
            with self._close_lock:
                self._readers.append(raw)
        cursor = raw.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def search(self, fn: Callable[[Connection], T]) -> T:
        """:meth:`read` for a search: stopped after :attr:`search_timeout_s` seconds.

        Raises:
            InvalidArgumentError: The search ran out of time, or the database refused it as
                too big (SQLite's expression depth, join or variable limits, PostgreSQL's
                bound-value limit): the caller should narrow the filter.
        """
        limit = self.search_timeout_s

        def limited(conn: Connection) -> T:
            return _time_limited(conn, fn, limit) if limit else fn(conn)

        try:
            return self.read(limited)
        except Exception as exc:
            mapped = _search_error(exc, limit)
            if mapped is None:
                raise
            raise mapped from exc

    def close(self) -> None:
        """Stop the writer (after it drained its queue) and dispose of all connections."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
            if self._thread is not None:
                self._queue.put(_STOP)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        for reader in self._readers:
            with contextlib.suppress(Exception):
                reader.close()
        if self._async_pg is not None:
            self._async_pg.close()
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    # -- the SQLite writer ------------------------------------------------------------------

    def _writer_loop(self) -> None:
        conn: Connection | None = None
        failure: BaseException | None = None
        try:
            conn = self.write_engine.connect()
            self._local.conn = conn
        except BaseException as exc:  # e.g. the file cannot be opened: every write reports it
            failure = exc
        try:
            stop = False
            carried: _Op | None = None  # an op that must run alone, taken while filling a batch
            while not stop:
                batch, carried, stop = self._next_batch(carried)
                if not batch:
                    continue
                try:
                    if conn is None:
                        raise failure or RuntimeError("no writer connection")
                    self._run_batch(conn, batch)
                except BaseException as exc:  # a failure must never leave a caller waiting
                    for op in batch:
                        if op.future.running() or (
                            not op.future.done() and op.future.set_running_or_notify_cancel()
                        ):
                            op.future.set_exception(exc)
        finally:
            if conn is not None:
                conn.close()

    def _next_batch(self, carried: _Op | None) -> tuple[list[_Op], _Op | None, bool]:
        """The next group-commit batch: ``(ops, op carried to the next batch, stop?)``.

        An op with foreign keys off (:meth:`write_without_foreign_keys`) is a batch alone.
        """
        batch: list[_Op] = []
        item: Any = self._queue.get() if carried is None else carried
        while True:
            if item is _STOP:
                return batch, None, True
            if not item.foreign_keys:
                if batch:
                    return batch, item, False
                return [item], None, False
            batch.append(item)
            if len(batch) >= GROUP_COMMIT_MAX:
                return batch, None, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, None, False

    def _run_batch(self, conn: Connection, batch: list[_Op]) -> None:
        ops = [op for op in batch if op.future.set_running_or_notify_cancel()]
        if not ops:
            return
        if not ops[0].foreign_keys:  # alone in its batch (see _writer_loop)
            raw = conn.connection.dbapi_connection
            if raw is None:  # pragma: no cover - the writer's connection is open
                raise RuntimeError("the connection is closed")
            raw.execute("PRAGMA foreign_keys=OFF")  # autocommit mode: outside any transaction
            try:
                self._run_ops(conn, ops)
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
            return
        self._run_ops(conn, ops)

    def _run_ops(self, conn: Connection, ops: list[_Op]) -> None:
        outcomes: list[tuple[_Op, bool, Any]] = []
        try:
            with conn.begin():
                if len(ops) == 1:
                    # One op: its own transaction is its savepoint.
                    outcomes.append((ops[0], True, ops[0].fn(conn)))
                else:
                    for op in ops:
                        try:
                            with conn.begin_nested():
                                outcomes.append((op, True, op.fn(conn)))
                        except Exception as exc:
                            outcomes.append((op, False, exc))
        except BaseException as exc:  # the single op failed, or COMMIT failed
            if conn.in_transaction():  # pragma: no cover - begin() rolled back already
                conn.rollback()
            failed = {id(op) for op, ok, _ in outcomes if not ok}
            for op in ops:
                if id(op) not in failed:
                    op.future.set_exception(exc)
            for op, ok, err in outcomes:
                if not ok:
                    op.future.set_exception(err)
            return
        for op, ok, value in outcomes:
            if ok:
                op.future.set_result(value)
            else:
                op.future.set_exception(value)
