"""Compile registry searches (parsed with the registry vocabularies) into SQL.

Semantics as :mod:`ardea.store.sql.tracking.search` (exact ``=``, case-sensitive ``LIKE``,
``ILIKE``), plus MLflow's prompt rule: prompts (models or versions tagged
``mlflow.prompt.is_prompt = 'true'``) are left out unless a clause asks for them with
``= 'true'`` or ``!= 'false'`` on that tag, in which case that clause selects them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from ardea.entities.auth import ResourceType
from ardea.entities.registry import PROMPT_TAG
from ardea.store.search.ast import Clause, OrderBy
from ardea.store.search.parser import parse_filter, parse_order_by
from ardea.store.search.vocabulary import MODEL_VERSIONS, REGISTERED_MODELS
from ardea.store.sql._db.compiled import RawQuery, compile_raw
from ardea.store.sql._db.filters import ChildClauses
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql._db.visibility import visible
from ardea.store.sql.registry.tables import DELETED_STAGE
from ardea.store.sql.tracking.search import compare
from ardea.store.visibility import Visibility

__all__ = [
    "is_prompt_query",
    "model_versions_page",
    "registered_models_page",
    "select_model_version_keys",
    "select_registered_models",
]

_MODEL_COLUMNS = {
    "name": "name",
    "creation_timestamp": "creation_timestamp",
    "last_updated_timestamp": "last_updated_timestamp",
}
_VERSION_COLUMNS = {
    "name": "name",
    "run_id": "run_id",
    "source_path": "source",
    "version_number": "version",
    "creation_timestamp": "creation_timestamp",
    "last_updated_timestamp": "last_updated_timestamp",
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


def _readable(visibility: Visibility | None, clauses: Sequence[Clause], name: Any) -> list[Any]:
    """The visibility condition on a model name: a prompt search's grants are on prompts."""
    if visibility is None:
        return []
    rtype = ResourceType.PROMPT if is_prompt_query(clauses) else ResourceType.REGISTERED_MODEL
    return [visible(visibility, rtype.value, name)]


def _direction(column: Any, ascending: bool) -> Any:
    return column.asc() if ascending else column.desc()


def select_registered_models(
    scope: WorkspaceScope,
    clauses: Sequence[Clause],
    orders: Sequence[OrderBy],
    dialect: str = "sqlite",
    visibility: Visibility | None = None,
) -> sa.Select[Any]:
    """``scope``'s registered models, filtered and fully ordered (ties by name).

    ``dialect`` (the SQLAlchemy dialect name) chooses the shape of long tag filters;
    ``visibility`` keeps only the models (or prompts) a caller may read.
    """
    rm, tg = scope.registered_models, scope.registered_model_tags
    applied, exclude_prompts = _prompt_scoped(clauses)
    conditions: list[Any] = _readable(visibility, clauses, rm.c.name)
    children = ChildClauses([rm.c.name], dialect)
    for c in dict.fromkeys(applied):  # a repeated clause adds nothing
        if c.entity == "attribute":
            conditions.append(compare(rm.c[_MODEL_COLUMNS[c.key]], c.comparator, c.value))
        else:
            children.keyed(tg, [tg.c.name], c.key, compare(tg.c.value, c.comparator, c.value))
    conditions += children.conditions()
    if exclude_prompts:
        conditions.append(
            ~sa.exists().where(tg.c.name == rm.c.name, tg.c.key == PROMPT_TAG, tg.c.value == "true")
        )
    order_by = [_direction(rm.c[_MODEL_COLUMNS[o.key]], o.ascending) for o in orders]
    if not any(o.key == "name" for o in orders):
        order_by.append(rm.c.name.asc())
    return sa.select(rm).where(*conditions).order_by(*order_by)


def select_model_version_keys(
    scope: WorkspaceScope,
    clauses: Sequence[Clause],
    orders: Sequence[OrderBy],
    dialect: str = "sqlite",
    visibility: Visibility | None = None,
) -> sa.Select[Any]:
    """Visible ``model_versions`` rows of ``scope``, filtered and fully ordered.

    The default order is MLflow's: ``last_updated_timestamp DESC``; ties (and a user order's)
    by ``name ASC, version DESC``.

    ``dialect`` (the SQLAlchemy dialect name) chooses the shape of long tag filters;
    ``visibility`` keeps only versions of the models (or prompts) a caller may read.
    """
    mv, tg = scope.model_versions, scope.model_version_tags
    applied, exclude_prompts = _prompt_scoped(clauses)
    conditions: list[Any] = [mv.c.current_stage != DELETED_STAGE]
    conditions += _readable(visibility, clauses, mv.c.name)
    children = ChildClauses([mv.c.name, mv.c.version], dialect)
    for c in dict.fromkeys(applied):  # a repeated clause adds nothing
        if c.entity == "attribute":
            conditions.append(compare(mv.c[_VERSION_COLUMNS[c.key]], c.comparator, c.value))
        else:
            condition = compare(tg.c.value, c.comparator, c.value)
            children.keyed(tg, [tg.c.name, tg.c.version], c.key, condition)
    conditions += children.conditions()
    if exclude_prompts:
        conditions.append(
            ~sa.exists().where(
                tg.c.name == mv.c.name,
                tg.c.version == mv.c.version,
                tg.c.key == PROMPT_TAG,
                tg.c.value == "true",
            )
        )
    if not orders:  # MLflow's default: the most recently updated first
        orders = [OrderBy("attribute", "last_updated_timestamp", False)]
    order_by = [_direction(mv.c[_VERSION_COLUMNS[o.key]], o.ascending) for o in orders]
    keys = {o.key for o in orders}
    if "name" not in keys:
        order_by.append(mv.c.name.asc())
    if "version_number" not in keys:
        order_by.append(mv.c.version.desc())
    return sa.select(mv).where(*conditions).order_by(*order_by)


def _paged(query: sa.Select[Any]) -> sa.Select[Any]:
    return query.limit(sa.bindparam("page_limit", 0)).offset(sa.bindparam("page_offset", 0))


@functools.lru_cache(maxsize=256)
def registered_models_page(
    scope: WorkspaceScope,
    filter_string: str | None,
    order_by: tuple[str, ...],
    dialect: Dialect,
    visibility: Visibility | None = None,
) -> RawQuery:
    """The compiled page query (``page_limit``/``page_offset`` open) of a model search.

    Parsed and compiled once per workspace, filter, order, dialect and visibility (a
    caller's, see :mod:`ardea.store.visibility`); bad input raises (and is not cached).
    """
    clauses = parse_filter(filter_string, REGISTERED_MODELS)
    orders = parse_order_by(list(order_by), REGISTERED_MODELS)
    query = select_registered_models(scope, clauses, orders, dialect.name, visibility)
    return compile_raw(_paged(query), dialect)


@functools.lru_cache(maxsize=256)
def model_versions_page(
    scope: WorkspaceScope,
    filter_string: str | None,
    order_by: tuple[str, ...],
    dialect: Dialect,
    visibility: Visibility | None = None,
) -> RawQuery:
    """The compiled page query (``page_limit``/``page_offset`` open) of a version search."""
    clauses = parse_filter(filter_string, MODEL_VERSIONS)
    orders = parse_order_by(list(order_by), MODEL_VERSIONS)
    query = select_model_version_keys(scope, clauses, orders, dialect.name, visibility)
    return compile_raw(_paged(query), dialect)
