"""What each search API may filter and order on (MLFLOW-WIRE.md section 4.2).

A :class:`Vocabulary` lists the entities, attribute keys, aliases and comparators one API
accepts. The parser is generic; these tables make it speak runs, experiments or logged models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ardea.store.search.ast import EntityType

NUMERIC = frozenset({"=", "!=", ">", ">=", "<", "<="})
"""Comparators of numbers (metrics and numeric attributes)."""

STRING = frozenset({"=", "!=", "LIKE", "ILIKE"})
"""Comparators of strings."""

LISTS = frozenset({"IN", "NOT IN"})
"""Comparators taking a parenthesised list of strings."""

NULLS = frozenset({"IS NULL", "IS NOT NULL"})
"""Comparators of presence (tags and params only)."""

ENTITY_ALIASES: Mapping[str, EntityType] = MappingProxyType(
    {
        "metric": "metric",
        "metrics": "metric",
        "param": "param",
        "params": "param",
        "parameter": "param",
        "parameters": "param",
        "tag": "tag",
        "tags": "tag",
        "attribute": "attribute",
        "attributes": "attribute",
        "attr": "attribute",
        "run": "attribute",
        "dataset": "dataset",
        "datasets": "dataset",
    }
)
"""Entity prefixes (matched case-insensitively) and the entity each one names."""


@dataclass(frozen=True)
class Vocabulary:
    """The filter and order-by vocabulary of one search API.

    Attributes:
        api: Name used in error messages (``search_runs``).
        entities: Entities the filter may use (``attribute`` is implied for bare keys).
        entity_comparators: Comparators per non-attribute entity.
        attribute_comparators: Comparators per canonical attribute key.
        numeric_attributes: Attribute keys whose values are numbers.
        integer_attributes: Whether numeric attribute values must be integers.
        attribute_aliases: Alternative attribute spellings and their canonical keys.
        dataset_keys: Keys allowed after ``datasets.``.
        order_entities: Entities the order-by may use.
        order_attributes: Canonical attribute keys the order-by may use.
    """

    api: str
    entities: frozenset[EntityType]
    entity_comparators: Mapping[EntityType, frozenset[str]]
    attribute_comparators: Mapping[str, frozenset[str]]
    numeric_attributes: frozenset[str] = frozenset()
    integer_attributes: bool = False
    attribute_aliases: Mapping[str, str] = field(default_factory=dict)
    dataset_keys: frozenset[str] = frozenset()
    order_entities: frozenset[EntityType] = frozenset({"attribute"})
    order_attributes: frozenset[str] = frozenset()

    def canonical_attribute(self, key: str) -> str:
        """The canonical spelling of an attribute key (aliases resolved)."""
        return self.attribute_aliases.get(key, key)


RUNS = Vocabulary(
    api="search_runs",
    entities=frozenset({"metric", "param", "tag", "attribute", "dataset"}),
    entity_comparators={
        "metric": NUMERIC,
        "param": STRING | NULLS,
        "tag": STRING | NULLS,
        "dataset": STRING | LISTS,
    },
    attribute_comparators={
        "run_id": STRING | LISTS,
        "run_name": STRING,
        "status": STRING,
        "user_id": STRING,
        "artifact_uri": STRING,
        "start_time": NUMERIC,
        "end_time": NUMERIC,
    },
    numeric_attributes=frozenset({"start_time", "end_time"}),
    attribute_aliases={
        "created": "start_time",
        "Created": "start_time",
        "run name": "run_name",
        "Run name": "run_name",
        "Run Name": "run_name",
    },
    dataset_keys=frozenset({"name", "digest", "context"}),
    order_entities=frozenset({"metric", "param", "tag", "attribute"}),
    order_attributes=frozenset(
        {"run_id", "run_name", "status", "user_id", "artifact_uri", "start_time", "end_time"}
    ),
)
"""``search_runs``."""

EXPERIMENTS = Vocabulary(
    api="search_experiments",
    entities=frozenset({"tag", "attribute"}),
    entity_comparators={"tag": STRING | NULLS},
    attribute_comparators={
        "name": STRING,
        "experiment_id": frozenset({"=", "!="}) | LISTS,
        "creation_time": NUMERIC,
        "last_update_time": NUMERIC,
    },
    numeric_attributes=frozenset({"creation_time", "last_update_time"}),
    integer_attributes=True,
    order_attributes=frozenset({"name", "experiment_id", "creation_time", "last_update_time"}),
)
"""``search_experiments``."""

LOGGED_MODELS = Vocabulary(
    api="search_logged_models",
    entities=frozenset({"metric", "param", "tag", "attribute"}),
    entity_comparators={"metric": NUMERIC, "param": STRING, "tag": STRING},
    attribute_comparators={
        "name": STRING | LISTS,
        "model_id": STRING | LISTS,
        "model_type": STRING | LISTS,
        "status": STRING | LISTS,
        "source_run_id": STRING | LISTS,
        "creation_timestamp": NUMERIC,
        "last_updated_timestamp": NUMERIC,
    },
    numeric_attributes=frozenset({"creation_timestamp", "last_updated_timestamp"}),
    attribute_aliases={
        "creation_time": "creation_timestamp",
        "last_updated_time": "last_updated_timestamp",
    },
    order_entities=frozenset({"metric", "attribute"}),
    order_attributes=frozenset(
        {
            "name",
            "model_id",
            "model_type",
            "status",
            "source_run_id",
            "creation_timestamp",
            "last_updated_timestamp",
        }
    ),
)
"""``search_logged_models``."""

REGISTERED_MODELS = Vocabulary(
    api="search_registered_models",
    entities=frozenset({"tag", "attribute"}),
    entity_comparators={"tag": STRING},
    attribute_comparators={"name": STRING | LISTS},
    integer_attributes=True,
    attribute_aliases={"timestamp": "last_updated_timestamp"},
    order_attributes=frozenset({"name", "creation_timestamp", "last_updated_timestamp"}),
)
"""``search_registered_models`` (order-by ``timestamp`` is ``last_updated_timestamp``)."""

MODEL_VERSIONS = Vocabulary(
    api="search_model_versions",
    entities=frozenset({"tag", "attribute"}),
    entity_comparators={"tag": STRING},
    attribute_comparators={
        "name": STRING | LISTS,
        "run_id": STRING | LISTS,
        "source_path": STRING | LISTS,
        "version_number": NUMERIC,
    },
    numeric_attributes=frozenset({"version_number"}),
    integer_attributes=True,
    order_attributes=frozenset(
        {"name", "version_number", "creation_timestamp", "last_updated_timestamp"}
    ),
)
"""``search_model_versions``."""

EVALUATION_DATASETS = Vocabulary(
    api="search_datasets",
    entities=frozenset({"tag", "attribute"}),
    entity_comparators={"tag": STRING},
    attribute_comparators={
        "name": STRING,
        "created_by": STRING,
        "last_updated_by": STRING,
        "created_time": NUMERIC,
        "last_update_time": NUMERIC,
    },
    numeric_attributes=frozenset({"created_time", "last_update_time"}),
    integer_attributes=True,
    order_attributes=frozenset({"name", "created_time", "last_update_time"}),
)
"""``search_datasets`` (evaluation datasets; MLflow's ``SearchEvaluationDatasetsUtils``)."""
