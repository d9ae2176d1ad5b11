"""The leases contract: once-only work across server replicas, coordinated by the database.

A lease is a named row (``alerts``, ``trace-retention``, ...) held by one holder until a time.
Several replicas on one database call :meth:`LeaseStore.acquire` with the same name and their
own holder id before a periodic job; exactly one gets ``True`` while the lease runs, and the
holder renews it by acquiring again. A holder that dies stops renewing: its lease expires and
the next caller takes it over. :meth:`LeaseStore.release` hands it over at once (a clean stop).

Backends: ``store.sql.leases.store.SqlLeaseStore`` (SQLite, PostgreSQL, MySQL); a server's
REST backend has none (:class:`UnsupportedLeaseStore`: periodic jobs run inside the server).

Example::

    if backend.leases.acquire("trace-retention", holder=worker_id, seconds=120):
        sweep()  # no other replica sweeps until the lease expires or is released
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import NoReturn

from ardea._core.errors import InvalidArgumentError, NotImplementedFeatureError

__all__ = ["MAX_LEASE_SECONDS", "LeaseStore", "UnsupportedLeaseStore", "check_lease"]

MAX_LEASE_SECONDS = 86_400.0
"""The longest lease one call may take (a day)."""
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")


def check_lease(name: str, holder: str, seconds: float | None = None) -> None:
    """Refuse a bad lease name, holder or duration.

    Raises:
        InvalidArgumentError: ``name`` is not 1-128 of ``[A-Za-z0-9._:/-]`` (starting with a
            letter or digit), ``holder`` is empty or longer than 255 characters, or
            ``seconds`` is not in (0, :data:`MAX_LEASE_SECONDS`].
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgumentError(f"Invalid lease name {name!r}")
    if not isinstance(holder, str) or not holder or len(holder) > 255:
        raise InvalidArgumentError("A lease holder must be 1-255 characters")
    if seconds is not None and not 0 < seconds <= MAX_LEASE_SECONDS:
        raise InvalidArgumentError(
            f"A lease lasts more than 0 and at most {MAX_LEASE_SECONDS:g} seconds, not {seconds}"
        )


class LeaseStore(ABC):
    """Named leases on the database (see the module docstring)."""

    @abstractmethod
    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; True when ``holder`` now holds it.

        Succeeds when nobody holds the lease, when its holder's time is up, or when
        ``holder`` holds it already (a renewal). Atomic: of several concurrent callers with
        different holders, at most one gets True.

        Raises:
            InvalidArgumentError: See :func:`check_lease`.
        """

    @abstractmethod
    def release(self, name: str, holder: str) -> bool:
        """Give the lease up (only its holder can); True when ``holder`` held it."""

    @abstractmethod
    def holder_of(self, name: str) -> str | None:
        """Who holds the lease now (None: nobody, or its time is up)."""


class UnsupportedLeaseStore(LeaseStore):
    """The lease store of a backend without one (a server over REST)."""

    def _refuse(self) -> NoReturn:
        raise NotImplementedFeatureError(
            "Leases live in the server's database: open it (postgresql://...) to use them"
        )

    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """Refused (see the class docstring)."""
        self._refuse()

    def release(self, name: str, holder: str) -> bool:
        """Refused (see the class docstring)."""
        self._refuse()

    def holder_of(self, name: str) -> str | None:
        """Refused (see the class docstring)."""
        self._refuse()
