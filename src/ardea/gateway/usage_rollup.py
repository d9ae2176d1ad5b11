"""The gateway's usage rollup: each batch of request records, folded into per-minute rows.

:class:`UsageRollup` is the trace recorder's ``on_batch`` hook: on the recorder's thread, off
the request path, it turns a batch (at most the recorder's ``batch_size`` records) into
:class:`~ardea.store.gateway_usage.UsageDelta` rows and adds them in one statement. When the
store fails the batch's usage is dropped and counted (reason ``usage_store_error``), as the
recorder drops traces; requests never wait on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ardea.gateway.recorder import GatewayRecord
from ardea.store.gateway_usage import GatewayUsageStore, UsageDelta, UsageMeasures

__all__ = ["UsageRollup", "usage_deltas"]

_log = logging.getLogger(__name__)


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
    """

    def __init__(
        self,
        store: GatewayUsageStore,
        on_drop: Callable[[str, int], None] | None = None,
    ) -> None:
        self.store = store
        self._on_drop = on_drop
        self.dropped = 0

    def __call__(self, batch: list[GatewayRecord]) -> None:
        """Add ``batch``'s usage; never raises (a failure drops it and is counted)."""
        try:
            self.store.add(usage_deltas(batch))
        except Exception as exc:
            _log.warning("gateway: dropped the usage of %d requests: %s", len(batch), exc)
            self.dropped += len(batch)
            if self._on_drop is not None:
                self._on_drop("usage_store_error", len(batch))
