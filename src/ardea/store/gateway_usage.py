"""The gateway's usage rollup contract: per-minute request counts, tokens and cost.

The gateway's trace recorder folds each batch of requests into :class:`UsageDelta` rows, one
per minute and ``(workspace, endpoint, key, user, provider, model)``, and adds them to the
store in one statement (:meth:`GatewayUsageStore.add`). The UI reads them back summed into
minute, hour or day buckets and grouped by one dimension (:meth:`GatewayUsageStore.query`),
so a chart over a month never reads a month of traces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ardea._core.errors import NotImplementedFeatureError

__all__ = [
    "BUCKET_SECONDS",
    "GROUP_BY",
    "Bucket",
    "GatewayUsageStore",
    "GroupBy",
    "UnsupportedGatewayUsageStore",
    "UsageDelta",
    "UsageMeasures",
    "UsagePoint",
]

Bucket = Literal["minute", "hour", "day"]
"""How long one point of a usage series is."""

BUCKET_SECONDS: dict[str, int] = {"minute": 60, "hour": 3600, "day": 86400}
"""Seconds per :data:`Bucket` (days are UTC days)."""

GroupBy = Literal["endpoint", "key", "user", "model"]
"""The dimension a usage query splits its series by."""

GROUP_BY: tuple[str, ...] = ("endpoint", "key", "user", "model")
"""Every :data:`GroupBy`."""


@dataclass(slots=True)
class UsageMeasures:
    """What a set of requests added up to.

    Attributes:
        requests: Requests answered.
        errors: Those answered with a status of 400 or more.
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens.
        cost_micros: Priced cost in micro-dollars (USD x 1e6), summed exactly.
        unpriced: Requests with tokens whose model has no price (their cost is unknown, not 0).
        latency_ms_sum: Summed latency, ms (divide by ``requests`` for the mean).
        cache_hits: Requests served from the response cache.
        fallbacks: Requests that needed more than one target.
    """

    requests: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_micros: int = 0
    unpriced: int = 0
    latency_ms_sum: float = 0.0
    cache_hits: int = 0
    fallbacks: int = 0

    def add(self, other: UsageMeasures) -> None:
        """Add ``other`` into this one."""
        self.requests += other.requests
        self.errors += other.errors
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost_micros += other.cost_micros
        self.unpriced += other.unpriced
        self.latency_ms_sum += other.latency_ms_sum
        self.cache_hits += other.cache_hits
        self.fallbacks += other.fallbacks


@dataclass(slots=True)
class UsageDelta:
    """One row's addition: a minute and its dimensions, and what to add to it.

    Attributes:
        workspace: The endpoint's workspace.
        minute: The minute's start, whole seconds since the epoch (a multiple of 60).
        endpoint_id: The endpoint's id (what READ grants name).
        endpoint: The endpoint's name.
        key_id: The API key's id, ``""`` when none was used.
        user: The caller's user name, ``""`` when anonymous.
        provider: The provider that answered (or was tried last), ``""`` when none.
        model: Its model, ``""`` when none.
        measures: What to add.
    """

    workspace: str
    minute: int
    endpoint_id: str
    endpoint: str
    key_id: str
    user: str
    provider: str
    model: str
    measures: UsageMeasures = field(default_factory=UsageMeasures)


@dataclass(slots=True)
class UsagePoint:
    """One bucket of one group, as :meth:`GatewayUsageStore.query` answers it.

    Attributes:
        bucket_start: The bucket's start, seconds since the epoch.
        group: The group's value (an endpoint name, key id, user name, or
            ``provider/model``; ``""`` when the requests had none).
        measures: The bucket's sums.
    """

    bucket_start: int
    group: str
    measures: UsageMeasures


class GatewayUsageStore(Protocol):
    """The usage rollup of every workspace's gateway requests."""

    def add(self, deltas: Sequence[UsageDelta]) -> None:
        """Add ``deltas`` to their rows (created when missing), in one transaction."""
        ...

    def query(
        self,
        workspace: str,
        start: int,
        end: int,
        *,
        bucket: Bucket,
        group_by: GroupBy,
        endpoint: str | None = None,
    ) -> list[UsagePoint]:
        """Sums per bucket and group over ``[start, end)`` (seconds), oldest bucket first.

        Only the endpoints the caller may read count when a search visibility is set
        (:mod:`ardea.store.visibility`); ``endpoint`` keeps one endpoint's rows (by name).
        """
        ...

    def purge(self, before: int) -> int:
        """Delete the rows of minutes before ``before`` (seconds); how many."""
        ...


class UnsupportedGatewayUsageStore:
    """The usage store of a backend without one (a REST backend): every call refuses."""

    def _refuse(self) -> NotImplementedFeatureError:
        return NotImplementedFeatureError("Gateway usage needs a database backend")

    def add(self, deltas: Sequence[UsageDelta]) -> None:
        """Refuses."""
        raise self._refuse()

    def query(
        self,
        workspace: str,
        start: int,
        end: int,
        *,
        bucket: Bucket,
        group_by: GroupBy,
        endpoint: str | None = None,
    ) -> list[UsagePoint]:
        """Refuses."""
        raise self._refuse()

    def purge(self, before: int) -> int:
        """Refuses."""
        raise self._refuse()
