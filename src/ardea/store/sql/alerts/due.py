"""The rules an evaluation pass measures: enabled rules of live experiments, with workspaces.

The server's evaluator measures every workspace's rules in one pass, so this one query reads
the ``experiments`` table itself (for the workspace and lifecycle of each rule's experiment);
``tests/architecture/test_workspace_scope.py`` allows this module alone to do so. A store of
one workspace passes its name and sees only that workspace's rules.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.store.sql.alerts.tables import alert_rules
from ardea.store.sql.tracking.tables import experiments

__all__ = ["due_rules"]


def due_rules(conn: Connection, workspace: str | None) -> list[Any]:
    """Enabled rules of live experiments (``workspace`` None: every workspace), by id.

    Each row has the rule's columns and ``workspace``.
    """
    ex = experiments.c
    query = (
        sa.select(alert_rules, ex.workspace.label("workspace"))
        .join(experiments, ex.experiment_id == alert_rules.c.experiment_id)
        .where(alert_rules.c.enabled == sa.true(), ex.lifecycle_stage == "active")
    )
    if workspace is not None:
        query = query.where(ex.workspace == workspace)
    return list(conn.execute(query.order_by(alert_rules.c.rule_id)))
