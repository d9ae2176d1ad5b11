"""Trace retention policies: how long, and how many, traces an experiment keeps.

A :class:`RetentionPolicy` has two limits, each optional:

- ``max_age_days``: traces whose ``request_time`` is older than this many days go;
- ``max_traces``: only the newest this many traces of each experiment stay.

Both may be set: a trace goes when either limit says so. ``archive`` (optional, like the
limits) writes the traces to Parquet in the object store before deleting them, where GetTrace
still finds them. A policy is set on a workspace (for
every experiment in it) and on an experiment; the experiment's limits override the
workspace's **field by field** (:meth:`RetentionPolicy.over`). ``None`` means "not set here"
(inherit), ``0`` means "no limit" (an experiment opts out of its workspace's limit with 0).
Negative values, or values that are not integers, are refused (:func:`check_policy`).

Where they live: an experiment's policy in its tags (:data:`MAX_AGE_DAYS_TAG`,
:data:`MAX_TRACES_TAG`), a workspace's in the ``trace_retention_policies`` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "MAX_AGE_DAYS_LIMIT",
    "MAX_AGE_DAYS_TAG",
    "MAX_TRACES_LIMIT",
    "MAX_TRACES_TAG",
    "ARCHIVE_TAG",
    "RETENTION_TAGS",
    "ExperimentRetention",
    "RetentionPolicy",
    "check_policy",
    "policy_from_tags",
]

MAX_AGE_DAYS_TAG = "ardea.retention.max_age_days"
"""Experiment tag holding the experiment's ``max_age_days``."""
MAX_TRACES_TAG = "ardea.retention.max_traces"
"""Experiment tag holding the experiment's ``max_traces``."""
ARCHIVE_TAG = "ardea.retention.archive"
"""Experiment tag holding the experiment's ``archive`` (``true`` or ``false``)."""
RETENTION_TAGS = (MAX_AGE_DAYS_TAG, MAX_TRACES_TAG, ARCHIVE_TAG)
"""The experiment tags a policy is made of."""
MAX_AGE_DAYS_LIMIT = 36_500
"""Largest ``max_age_days`` accepted (a hundred years)."""
MAX_TRACES_LIMIT = 2**31 - 1
"""Largest ``max_traces`` accepted."""

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class RetentionPolicy:
    """Limits on an experiment's traces (``None``: not set at this level; ``0``: no limit).

    Attributes:
        max_age_days: Traces older than this many days are deleted.
        max_traces: Only the newest this many traces are kept.
        archive: Write the traces to Parquet before deleting them (None: not set here).
    """

    max_age_days: int | None = None
    max_traces: int | None = None
    archive: bool | None = None

    @property
    def is_empty(self) -> bool:
        """True when nothing is set at this level."""
        return self.max_age_days is None and self.max_traces is None and self.archive is None

    @property
    def limits(self) -> bool:
        """True when a limit is in force (set and not 0)."""
        return bool(self.max_age_days) or bool(self.max_traces)

    def over(self, base: RetentionPolicy) -> RetentionPolicy:
        """This policy's limits where set, ``base``'s elsewhere (experiment over workspace)."""
        return RetentionPolicy(
            base.max_age_days if self.max_age_days is None else self.max_age_days,
            base.max_traces if self.max_traces is None else self.max_traces,
            base.archive if self.archive is None else self.archive,
        )

    def age_cutoff_ms(self, now_ms: int) -> int | None:
        """Traces with ``request_time`` below this go (None: no age limit)."""
        if not self.max_age_days:
            return None
        return now_ms - self.max_age_days * _DAY_MS

    def to_json(self) -> dict[str, Any]:
        """The set limits as a JSON object (unset ones left out)."""
        out: dict[str, Any] = {}
        if self.max_age_days is not None:
            out["max_age_days"] = self.max_age_days
        if self.max_traces is not None:
            out["max_traces"] = self.max_traces
        if self.archive is not None:
            out["archive"] = self.archive
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RetentionPolicy:
        """Read :meth:`to_json`'s shape, checking it (:func:`check_policy`)."""
        data = data or {}
        return check_policy(data.get("max_age_days"), data.get("max_traces"), data.get("archive"))


@dataclass(frozen=True)
class ExperimentRetention:
    """An experiment's retention: its own policy, its workspace's, and what applies.

    Attributes:
        experiment_id: The experiment.
        policy: Set on the experiment (its tags).
        workspace_policy: Set on the experiment's workspace.
    """

    experiment_id: str
    policy: RetentionPolicy
    workspace_policy: RetentionPolicy

    @property
    def effective(self) -> RetentionPolicy:
        """The limits in force: the experiment's over the workspace's, field by field."""
        return self.policy.over(self.workspace_policy)

    def to_json(self) -> dict[str, Any]:
        """``{experiment_id, policy, workspace_policy, effective}``."""
        return {
            "experiment_id": self.experiment_id,
            "policy": self.policy.to_json(),
            "workspace_policy": self.workspace_policy.to_json(),
            "effective": self.effective.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExperimentRetention:
        """Read :meth:`to_json`'s shape."""
        return cls(
            str(data.get("experiment_id", "")),
            RetentionPolicy.from_json(data.get("policy")),
            RetentionPolicy.from_json(data.get("workspace_policy")),
        )


def _limit(name: str, value: Any, top: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"Invalid value {value!r} for {name}: expected an integer")
    if value < 0 or value > top:
        raise InvalidArgumentError(
            f"Invalid value {value} for {name}: must be between 0 (no limit) and {top}"
        )
    return value


def _flag(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidArgumentError(f"Invalid value {value!r} for {name}: expected true or false")


def check_policy(
    max_age_days: Any = None, max_traces: Any = None, archive: Any = None
) -> RetentionPolicy:
    """A policy from raw values, or InvalidArgumentError naming the bad field.

    Each limit is None (not set), or an integer from 0 (no limit) up to its limit; a string
    of digits (a tag's value) is read as its integer. ``archive`` is None, a bool, or
    ``"true"``/``"false"``.
    """
    return RetentionPolicy(
        _limit("max_age_days", max_age_days, MAX_AGE_DAYS_LIMIT),
        _limit("max_traces", max_traces, MAX_TRACES_LIMIT),
        _flag("archive", archive),
    )


def policy_from_tags(tags: Mapping[str, str]) -> RetentionPolicy:
    """An experiment's own policy from its tags; a malformed tag counts as not set."""
    values: list[int | None] = []
    for key, top in ((MAX_AGE_DAYS_TAG, MAX_AGE_DAYS_LIMIT), (MAX_TRACES_TAG, MAX_TRACES_LIMIT)):
        raw = tags.get(key)
        try:
            values.append(_limit(key, raw, top))
        except InvalidArgumentError:
            values.append(None)
    try:
        archive = _flag(ARCHIVE_TAG, tags.get(ARCHIVE_TAG))
    except InvalidArgumentError:
        archive = None
    return RetentionPolicy(values[0], values[1], archive)
