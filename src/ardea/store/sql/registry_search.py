"""Compile registry searches (parsed with the registry vocabularies) into SQL.

Semantics as :mod:`ardea.store.sql.search` (exact ``=``, case-sensitive ``LIKE``, ``ILIKE``),
plus MLflow's prompt rule: prompts (models or versions tagged
``mlflow.prompt.is_prompt = 'true'``) are left out unless a clause asks for them with
``= 'true'`` or ``!= 'false'`` on that tag, in which case that clause selects them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ardea.entities.registry import PROMPT_TAG
from ardea.store.search.ast import Clause, OrderBy
from ardea.store.sql.registry_tables import (
    DELETED_STAGE,
    model_version_tags,
    model_versions,
    registered_model_tags,
    registered_models,
)
from ardea.store.sql.search import compare

__all__ = ["is_prompt_query", "select_model_version_keys", "select_registered_model_names"]

_MODEL_COLUMNS = {
    "name": registered_models.c.name,
    "creation_timestamp": registered_models.c.creation_timestamp,
    "last_updated_timestamp": registered_models.c.last_updated_timestamp,
}
_VERSION_COLUMNS = {
    "name": model_versions.c.name,
    "run_id": model_versions.c.run_id,
    "source_path": model_versions.c.source,
    "version_number": model_versions.c.version,
    "creation_timestamp": model_versions.c.creation_timestamp,
    "last_updated_timestamp": model_versions.c.last_updated_timestamp,
}


def is_prompt_query(clauses: Sequence[Clause]) -> bool:
    """Whether the filter asks for prompts (``= 'true'`` or ``!= 'false'`` on the prompt tag)."""
    for c in clauses:
        if c.entity == "tag" and c.key == PROMPT_TAG and isinstance(c.value, str):
            value = c.value.lower()
            return (c.comparator == "=" and value == "true") or (
                c.comparator == "!=" and value == "false"
            )
    return False


def _prompt_scoped(clauses: Sequence[Clause]) -> tuple[list[Clause], bool]:
    """The clauses to apply and whether to exclude prompts."""
    if is_prompt_query(clauses):
        return list(clauses), False
    return [c for c in clauses if not (c.entity == "tag" and c.key == PROMPT_TAG)], True


def _direction(column: Any, ascending: bool) -> Any:
    return column.asc() if ascending else column.desc()


def select_registered_model_names(
    clauses: Sequence[Clause], orders: Sequence[OrderBy]
) -> sa.Select[Any]:
    """``SELECT name FROM registered_models`` filtered and fully ordered (ties by name)."""
    rm, tg = registered_models, registered_model_tags
    applied, exclude_prompts = _prompt_scoped(clauses)
    conditions: list[Any] = []
    for c in applied:
        if c.entity == "attribute":
            conditions.append(compare(_MODEL_COLUMNS[c.key], c.comparator, c.value))
        else:
            conditions.append(
                sa.exists().where(
                    tg.c.name == rm.c.name,
                    tg.c.key == c.key,
                    compare(tg.c.value, c.comparator, c.value),
                )
            )
    if exclude_prompts:
        conditions.append(
            ~sa.exists().where(tg.c.name == rm.c.name, tg.c.key == PROMPT_TAG, tg.c.value == "true")
        )
    order_by = [_direction(_MODEL_COLUMNS[o.key], o.ascending) for o in orders]
    if not any(o.key == "name" for o in orders):
        order_by.append(rm.c.name.asc())
    return sa.select(rm.c.name).where(*conditions).order_by(*order_by)


def select_model_version_keys(
    clauses: Sequence[Clause], orders: Sequence[OrderBy]
) -> sa.Select[Any]:
    """Visible ``model_versions`` rows filtered and fully ordered (ties: name, version DESC)."""
    mv, tg = model_versions, model_version_tags
    applied, exclude_prompts = _prompt_scoped(clauses)
    conditions: list[Any] = [mv.c.current_stage != DELETED_STAGE]
    for c in applied:
        if c.entity == "attribute":
            conditions.append(compare(_VERSION_COLUMNS[c.key], c.comparator, c.value))
        else:
            conditions.append(
                sa.exists().where(
                    tg.c.name == mv.c.name,
                    tg.c.version == mv.c.version,
                    tg.c.key == c.key,
                    compare(tg.c.value, c.comparator, c.value),
                )
            )
    if exclude_prompts:
        conditions.append(
            ~sa.exists().where(
                tg.c.name == mv.c.name,
                tg.c.version == mv.c.version,
                tg.c.key == PROMPT_TAG,
                tg.c.value == "true",
            )
        )
    order_by = [_direction(_VERSION_COLUMNS[o.key], o.ascending) for o in orders]
    keys = {o.key for o in orders}
    if "name" not in keys:
        order_by.append(mv.c.name.asc())
    if "version_number" not in keys:
        order_by.append(mv.c.version.desc())
    return sa.select(mv).where(*conditions).order_by(*order_by)
