"""compile_raw / RawQuery: a statement compiled once runs on the DBAPI cursor with new values."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ardea.store.sql._db.compiled import compile_raw

_t = sa.table("t", sa.column("k"), sa.column("v"))


def _query() -> sa.Select:
    return (
        sa.select(_t.c.k)
        .where(_t.c.k.in_(["a", "b", "c"]), _t.c.v != "skip")
        .order_by(_t.c.k)
        .limit(sa.bindparam("page_limit", 0))
        .offset(sa.bindparam("page_offset", 0))
    )


def test_runs_on_sqlite_with_expanded_in_and_open_page_parameters() -> None:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (k TEXT, v TEXT)"))
        rows = [("a", "x"), ("b", "skip"), ("c", "y"), ("d", "z")]
        conn.execute(sa.text("INSERT INTO t VALUES (:k, :v)"), [dict(k=k, v=v) for k, v in rows])
        raw = compile_raw(_query(), conn.dialect)
        assert raw.names is not None and "?" in raw.sql  # positional, IN list expanded
        assert raw.run(conn, page_limit=10, page_offset=0) == [("a",), ("c",)]
        assert raw.run(conn, page_limit=1, page_offset=1) == [("c",)]
        assert raw.run(conn, page_limit=10, page_offset=0) == [("a",), ("c",)]  # reusable


def test_named_paramstyle_keeps_a_mapping() -> None:
    raw = compile_raw(_query(), postgresql.psycopg.dialect())
    assert raw.names is None
    assert "%(page_limit)s" in raw.sql and raw.params["v_1"] == "skip"
