"""What every part of :class:`~ardea.client.ArdeaClient` stands on: its one backend.

The client's mixins (artifacts, registry, prompts, webhooks) reach every store through
:attr:`ClientBase.backend`: the :class:`~ardea.store.backend.Backend` of the client's tracking
URI, opened on first use. They never look for stores anywhere else.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ardea.store.backend import Backend
    from ardea.store.registry import RegistryStore
    from ardea.store.traces import TraceStore
    from ardea.store.tracking import TrackingStore
    from ardea.store.webhooks import WebhookStore

__all__ = ["ClientBase"]


class ClientBase:
    """The backend and its stores; :class:`~ardea.client.ArdeaClient` opens the backend."""

    _lock: threading.RLock

    @property
    def tracking_uri(self) -> str:  # pragma: no cover - implemented by ArdeaClient
        """The tracking URI this client logs to."""
        raise NotImplementedError

    @property
    def backend(self) -> Backend:  # pragma: no cover - implemented by ArdeaClient
        """Every store behind the tracking URI (opened on first use)."""
        raise NotImplementedError

    @property
    def store(self) -> TrackingStore:
        """The tracking store: experiments, runs, metrics, logged models."""
        return self.backend.tracking

    @property
    def trace_store(self) -> TraceStore:
        """The trace store: traces, spans, assessments."""
        return self.backend.traces

    @property
    def registry(self) -> RegistryStore:
        """The model (and prompt) registry."""
        return self.backend.registry

    @property
    def webhook_store(self) -> WebhookStore:
        """The registry webhooks."""
        return self.backend.webhooks
