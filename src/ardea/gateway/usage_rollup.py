"""The gateway's usage rollup: each batch of request records, folded into per-minute rows.

:class:`UsageRollup` is the trace recorder's ``on_batch`` hook: on the recorder's thread, off
the request path, it turns a batch (at most the recorder's ``batch_size`` records) into
:class:`~ardea.store.gateway_usage.UsageDelta` rows and adds them in one statement. When the
store fails the batch's usage is dropped and counted (reason ``usage_store_error``), as the
recorder drops traces; requests never wait on it.

Rows older than the retention (``ARDEA_GATEWAY_USAGE_RETENTION_DAYS``, default 90; 0 keeps
them forever) are deleted by the same thread, at most once an hour.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from ardea._core.env import ARDEA_GATEWAY_USAGE_RETENTION_DAYS, env_number
from ardea.gateway.recorder import GatewayRecord
from ardea.store.gateway_usage import GatewayUsageStore, UsageDelta, UsageMeasures

__all__ = ["DEFAULT_RETENTION_DAYS", "UsageRollup", "retention_days_from_env", "usage_deltas"]

_log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90
"""How long per-minute usage rows are kept unless ``ARDEA_GATEWAY_USAGE_RETENTION_DAYS`` says."""
_PURGE_EVERY_S = 3600


def retention_days_from_env() -> float:
    """``ARDEA_GATEWAY_USAGE_RETENTION_DAYS`` (0: forever); the default when unset or bad."""
    return env_number(ARDEA_GATEWAY_USAGE_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)


def usage_deltas(records: Sequence[GatewayRecord]) -> list[UsageDelta]:
    """One delta per record (the store merges those of one row)."""
    deltas = []
    for r in records:
        tokens = r.input_tokens + r.output_tokens
        priced = r.cost is not None
        deltas.append(
            UsageDelta(
                workspace=r.workspace,
                minute=(r.start_ns // 1_000_000_000) // 60 * 60,
                endpoint_id=r.endpoint_id,
                endpoint=r.endpoint,
                key_id=r.key_id or "",
                user=r.user or "",
                provider=r.provider,
                model=r.model,
                measures=UsageMeasures(
                    requests=1,
                    errors=1 if r.status >= 400 else 0,
                    input_tokens=r.input_tokens,
                    output_tokens=r.output_tokens,
                    cost_micros=round((r.cost or 0.0) * 1_000_000),
                    unpriced=1 if tokens and not priced else 0,
                    latency_ms_sum=max(r.end_ns - r.start_ns, 0) / 1e6,
                    cache_hits=1 if r.cache_hit else 0,
                    fallbacks=1 if r.attempts > 1 else 0,
                ),
            )
        )
    return deltas


class UsageRollup:
    """Adds each batch of records to the usage store (the recorder's ``on_batch``).

    Args:
        store: The usage rollup store.
        on_drop: Called with ``(reason, count)`` when a batch's usage is lost.
        retention_days: Rows older than this many days are deleted (0: kept forever);
            None reads ``ARDEA_GATEWAY_USAGE_RETENTION_DAYS``.
        clock: Seconds since the epoch (tests pass their own).
    """

    def __init__(
        self,
        store: GatewayUsageStore,
        on_drop: Callable[[str, int], None] | None = None,
        retention_days: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._on_drop = on_drop
        self.dropped = 0
        days = retention_days_from_env() if retention_days is None else retention_days
        self._retention_s = days * 86_400
        self._clock = clock
        self._next_purge = 0.0

    def __call__(self, batch: list[GatewayRecord]) -> None:
        """Add ``batch``'s usage; never raises (a failure drops it and is counted)."""
        try:
            self.store.add(usage_deltas(batch))
        except Exception as exc:
            _log.warning("gateway: dropped the usage of %d requests: %s", len(batch), exc)
            self.dropped += len(batch)
            if self._on_drop is not None:
                self._on_drop("usage_store_error", len(batch))
        self._purge()

    def _purge(self) -> None:
        """Delete rows past the retention, at most once an hour; never raises."""
        now = self._clock()
        if not self._retention_s or now < self._next_purge:
            return
        self._next_purge = now + _PURGE_EVERY_S
        try:
            removed = self.store.purge(int(now - self._retention_s))
        except Exception as exc:
            _log.warning("gateway: usage rows past the retention not deleted: %s", exc)
            return
        if removed:
            _log.info("gateway: deleted %d usage rows past the retention", removed)
