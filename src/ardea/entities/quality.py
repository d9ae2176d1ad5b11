"""Quality over time: each judge's pass rate per time bucket, optionally per group.

From :meth:`ardea.store.traces.TraceStore.quality_metrics`. Verdicts are valid feedback of
the range's traces: ``true`` and the strings ``yes`` / ``pass`` / ``true`` (any case) pass,
``false`` and every other string fail; numbers and errors are not verdicts (the rule of
:mod:`ardea.store.sql.traces.metrics`). A series is one judge (feedback name) and one group:
the value of the grouping (a prompt version, a model, a tag's value), or None when not
grouped or when the trace has no value for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ardea._core.errors import InvalidArgumentError

__all__ = [
    "GROUP_BY_KINDS",
    "MAX_GROUPS",
    "OTHER_GROUP",
    "QualityMetrics",
    "QualitySeries",
    "parse_group_by",
]

GROUP_BY_KINDS = ("prompt", "model", "tag")
"""What a quality chart may group by (``tag`` names its key: ``tag:<key>``)."""
MAX_GROUPS = 10
"""Most groups per judge: the ones with the most verdicts; the rest are one ``(other)``."""
OTHER_GROUP = "(other)"
"""The group that merges the groups past :data:`MAX_GROUPS`."""
_KEY_MAX = 250


@dataclass(slots=True)
class QualitySeries:
    """One judge's (and group's) verdicts per bucket.

    Attributes:
        judge: The feedback name.
        group: The group's value (None: not grouped, or the trace has none).
        passed: Passing verdicts per bucket.
        total: Verdicts per bucket.
    """

    judge: str
    group: str | None
    passed: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)

    @property
    def pass_count(self) -> int:
        """Passing verdicts over the range."""
        return sum(self.passed)

    @property
    def verdict_count(self) -> int:
        """Verdicts over the range."""
        return sum(self.total)


@dataclass(slots=True)
class QualityMetrics:
    """Pass rates of an experiment's judges per bucket of ``[start_ms, end_ms)``.

    Attributes:
        start_ms: Start of the range (epoch ms, inclusive).
        end_ms: End of the range (exclusive).
        bucket_ms: Width of a bucket; bucket ``i`` starts at ``start_ms + i * bucket_ms``.
        group_by: ``""`` (not grouped), ``prompt``, ``model`` or ``tag:<key>``.
        series: By judge, then by group (most verdicts first, ``(other)`` last).
    """

    start_ms: int
    end_ms: int
    bucket_ms: int
    group_by: str
    series: list[QualitySeries] = field(default_factory=list)


def parse_group_by(text: str | None) -> tuple[str, str | None]:
    """``("", None)``, ``("prompt", None)``, ``("model", None)`` or ``("tag", key)``.

    Raises:
        InvalidArgumentError: Anything else (an unknown kind, a tag without a key).
    """
    if not text:
        return "", None
    kind, sep, key = text.partition(":")
    if kind == "tag" and sep and key and len(key) <= _KEY_MAX:
        return "tag", key
    if kind in ("prompt", "model") and not sep:
        return kind, None
    raise InvalidArgumentError(
        f"Invalid group_by {text[:80]!r}: expected 'prompt', 'model' or 'tag:<key>'"
    )
