"""Workspaces are scoped in one place: ``ardea.store.sql._db.scope``.

The tables that belong to a workspace (those whose ``workspace`` column is declared with
``workspace_column``: experiments, registered models and their children, webhooks) are named
in statements by the scope module only; every other SQL module reaches them through a
:class:`WorkspaceScope` (pre-filtered selectables, scoped writes, the ``owns_experiment`` guard
for what lives under an experiment), so their ``workspace`` column, the filter, is written
there alone. This test scans ``src/ardea/store/sql`` (AST and string literals) for:

- an owned table taken from a ``tables`` module (``t.experiments``, ``from
  ...registry.tables import model_versions``);
- raw SQL naming one (``FROM experiments``, ``JOIN model_versions``, ``UPDATE webhooks``,
  ``INSERT INTO ...``, ``DELETE FROM ...``).

A table that only names a workspace (a permission grant, say) is not owned and not checked.

Allowed: the scope module, the tables' declarations, the migrations, ``schema.py``, and the
modules listed in :data:`ALLOWED` with the reason. Each check is also run on source that
breaks it, so it cannot pass vacuously.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SQL = Path(__file__).resolve().parents[2] / "src" / "ardea" / "store" / "sql"

ALLOWED: dict[str, str] = {
    "_db/scope.py": "the one place workspaces are scoped",
    "alerts/due.py": (
        "the server's alert evaluator measures every workspace's rules in one pass; the one "
        "query reading experiments for their workspace and lifecycle"
    ),
    "retention/sweep.py": (
        "the trace retention sweep works on the database as a whole: it reads every "
        "workspace's experiments for their policies (ids are global)"
    ),
    "purge.py": (
        "`ardea gc` works on the database as a whole: it purges the soft-deleted entities of "
        "every workspace (ids are global), and a model version in any workspace keeps its run"
    ),
}


def _owned() -> set[str]:
    from ardea.store.sql import schema  # noqa: F401 - registers every aggregate's tables
    from ardea.store.sql._db.scope import owned_tables

    return set(owned_tables())


def _skipped(rel: str) -> bool:
    return (
        rel in ALLOWED
        or rel.endswith("tables.py")
        or rel.startswith("_db/migrations/")
        or rel == "schema.py"
    )


def violations(source: str, owned: set[str]) -> list[str]:
    """What in ``source`` (a module's text) names an owned table."""
    tree = ast.parse(source)
    table_modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ardea.store.sql"):
            for alias in node.names:
                if alias.name == "tables":
                    table_modules.add(alias.asname or alias.name)
                elif (node.module or "").endswith(".tables") and alias.name in owned:
                    found.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
    tables = "|".join(sorted(owned))
    sql = re.compile(rf"\b(FROM|JOIN|INTO|UPDATE)\s+({tables})\b", re.IGNORECASE)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            value = node.value
            if node.attr in owned and isinstance(value, ast.Name) and value.id in table_modules:
                found.append(f"line {node.lineno}: {value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and sql.search(node.value)
        ):
            found.append(f"line {node.lineno}: SQL {node.value[:60]!r}")
    return found


def test_only_the_scope_module_names_workspace_tables() -> None:
    owned = _owned()
    assert {"experiments", "registered_models", "model_versions", "webhooks"} <= owned
    bad: dict[str, list[str]] = {}
    scanned = 0
    for path in sorted(SQL.rglob("*.py")):
        rel = path.relative_to(SQL).as_posix()
        if _skipped(rel):
            continue
        scanned += 1
        found = violations(path.read_text(encoding="utf-8"), owned)
        if found:
            bad[rel] = found
    assert scanned > 30
    assert bad == {}, f"workspace tables named outside the scope module: {bad}"


def test_the_check_finds_what_bypasses_the_scope() -> None:
    owned = _owned()
    source = """
import sqlalchemy as sa
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.registry.tables import model_versions

def read(conn):
    conn.execute(sa.select(t.experiments))
    conn.exec_driver_sql("SELECT name FROM registered_models WHERE name = ?")
    conn.exec_driver_sql("UPDATE webhooks SET status = 'DISABLED'")
    conn.execute(sa.select(model_versions).where(model_versions.c.name == "a"))
    conn.exec_driver_sql("INSERT INTO experiments (name) VALUES ('x')")
"""
    found = violations(source, owned)
    assert len(found) == 5, found
    assert any("model_versions from" in f for f in found)
    assert any("t.experiments" in f for f in found)
    assert sum(f.count("SQL") for f in found) == 3


def test_the_check_passes_scoped_code() -> None:
    source = """
import sqlalchemy as sa
from ardea.store.sql.tracking import tables as t

def read(conn, scope):
    ex = scope.experiments
    conn.execute(sa.select(ex.c.name).where(ex.c.experiment_id == 1))
    conn.execute(sa.select(t.runs).where(scope.owns_experiment(t.runs.c.experiment_id)))
    conn.exec_driver_sql(f"SELECT name FROM {scope.sql_table('registered_models')} m")
"""
    assert violations(source, _owned()) == []
