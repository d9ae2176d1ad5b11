"""The gateway usage rollup in the tracking database (see :mod:`.store`)."""

from ardea.store.sql.gateway_usage.store import SqlGatewayUsageStore

__all__ = ["SqlGatewayUsageStore"]
