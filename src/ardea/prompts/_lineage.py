"""Prompt lineage: which runs and traces used a prompt version.

A run or a trace that used prompt versions carries the tag ``mlflow.linkedPrompts``: a JSON
list of ``{"name": ..., "version": "<n>"}``, merged without duplicates (MLflow's format, so
the tag written by either client is read by both). Lineage is read back by searching runs and
traces for that tag: a ``LIKE`` filter on the prompt's name narrows the search on the
backend, and the JSON is then matched exactly on the client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import RunTag, ViewType
from ardea.prompts._constants import EXPERIMENT_IDS_TAG, LINKED_PROMPTS_TAG

if TYPE_CHECKING:
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore

__all__ = [
    "PromptLineage",
    "find_prompt_lineage",
    "link_prompt_to_experiment",
    "link_prompt_version_to_run",
    "link_prompt_versions_to_trace",
    "merge_linked_prompts",
    "parse_linked_prompts",
]

_PAGE = 1000


@dataclass(slots=True)
class PromptLineage:
    """The runs and traces that used one prompt version.

    Attributes:
        name: The prompt.
        version: The version.
        runs: Ids of runs tagged with it (active runs of every active experiment).
        traces: Ids of traces tagged with it.
    """

    name: str
    version: int
    runs: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)


def _entry(name: str, version: int | str) -> dict[str, str]:
    return {"name": str(name), "version": str(version)}


def parse_linked_prompts(value: str | None) -> list[dict[str, str]]:
    """The entries of a ``mlflow.linkedPrompts`` tag value ([] when absent or malformed)."""
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return []
    if not isinstance(parsed, list):
        return []
    return [
        _entry(e["name"], e["version"])
        for e in parsed
        if isinstance(e, dict) and "name" in e and "version" in e
    ]


def merge_linked_prompts(
    current: str | None, versions: Iterable[tuple[str, int | str]]
) -> str | None:
    """The tag value with ``(name, version)`` pairs added, or None when nothing is new."""
    entries = parse_linked_prompts(current)
    added = False
    for name, version in versions:
        entry = _entry(name, version)
        if entry not in entries:
            entries.append(entry)
            added = True
    return json.dumps(entries) if added else None


def _pairs(prompts: Sequence[Any]) -> list[tuple[str, int | str]]:
    pairs = []
    for p in prompts:
        if isinstance(p, tuple) and len(p) == 2:
            pairs.append((str(p[0]), p[1]))
        elif hasattr(p, "name") and hasattr(p, "version"):
            pairs.append((p.name, p.version))
        else:
            raise InvalidArgumentError(f"Not a prompt version: {p!r}")
    return pairs


def link_prompt_version_to_run(
    tracking: TrackingStore, run_id: str, prompts: Sequence[Any]
) -> None:
    """Add prompt versions (PromptVersion or ``(name, version)``) to a run's linked prompts."""
    run = tracking.get_run(run_id)
    merged = merge_linked_prompts(run.data.tags.get(LINKED_PROMPTS_TAG), _pairs(prompts))
    if merged is not None:
        tracking.set_tag(run_id, RunTag(LINKED_PROMPTS_TAG, merged))


def link_prompt_versions_to_trace(
    traces: TraceStore, trace_id: str, prompts: Sequence[Any]
) -> None:
    """Add prompt versions to a stored trace's ``mlflow.linkedPrompts`` tag."""
    info = traces.get_trace_info(trace_id)
    merged = merge_linked_prompts(info.tags.get(LINKED_PROMPTS_TAG), _pairs(prompts))
    if merged is not None:
        traces.set_trace_tag(trace_id, LINKED_PROMPTS_TAG, merged)


def link_prompt_to_experiment(registry: RegistryStore, name: str, experiment_id: str) -> None:
    """Add an experiment to the prompt's ``_mlflow_experiment_ids`` tag (``",0,3,"``).

    MLflow's UI lists a prompt under the experiments in that tag; the comma wrapping lets a
    ``LIKE '%,3,%'`` filter match one id exactly.
    """
    current = registry.get_registered_model(name).tags.get(EXPERIMENT_IDS_TAG, "")
    ids = [i.strip() for i in current.strip(",").split(",") if i.strip()]
    if str(experiment_id) not in ids:
        ids.append(str(experiment_id))
        registry.set_registered_model_tag(name, EXPERIMENT_IDS_TAG, f",{','.join(ids)},")


def _like_filter(name: str) -> str:
    # '%' and '_' in names only widen the LIKE; the JSON check below is exact.
    return f"tags.`{LINKED_PROMPTS_TAG}` LIKE '%{name}%'"


def _experiment_ids(tracking: TrackingStore) -> list[str]:
    ids: list[str] = []
    token: str | None = None
    while True:
        page = tracking.search_experiments(ViewType.ACTIVE_ONLY, _PAGE, None, (), token)
        ids.extend(e.experiment_id for e in page)
        token = page.token
        if not token:
            return ids


def find_prompt_lineage(
    tracking: TrackingStore, traces: TraceStore | None, name: str, version: int | str
) -> PromptLineage:
    """Runs and traces (of all active experiments) whose linked prompts name this version."""
    wanted = _entry(name, version)
    lineage = PromptLineage(name, int(version))
    experiment_ids = _experiment_ids(tracking)
    if not experiment_ids:
        return lineage
    token: str | None = None
    while True:
        page = tracking.search_runs(
            experiment_ids, _like_filter(name), ViewType.ACTIVE_ONLY, _PAGE, (), token
        )
        for run in page:
            if wanted in parse_linked_prompts(run.data.tags.get(LINKED_PROMPTS_TAG)):
                lineage.runs.append(run.info.run_id)
        token = page.token
        if not token:
            break
    if traces is None:
        return lineage
    for start in range(0, len(experiment_ids), 100):
        chunk = experiment_ids[start : start + 100]
        token = None
        while True:
            infos = traces.search_traces(chunk, _like_filter(name), 500, (), token)
            for info in infos:
                if wanted in parse_linked_prompts(info.tags.get(LINKED_PROMPTS_TAG)):
                    lineage.traces.append(info.trace_id)
            token = infos.token
            if not token:
                break
    return lineage
