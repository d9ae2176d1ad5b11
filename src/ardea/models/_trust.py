"""Which pickle files may be loaded without an explicit opt-in.

Unpickling runs code chosen by whoever wrote the file. Ardea trusts a pickle file only when
this very process wrote it (its SHA-256 digest is recorded at save time, so a copy of it
downloaded from a server is trusted too). Every other pickle file (logged by another process,
by ``mlflow``, or copied from elsewhere) is *untrusted*: loading it raises unless the caller
opts in with ``allow_pickle=True`` or ``ARDEA_ALLOW_PICKLE=1``, and then it loads with a
warning.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from pathlib import Path

from ardea._core.env import ARDEA_ALLOW_PICKLE
from ardea._core.errors import FailedPreconditionError

__all__ = ["UntrustedPickleWarning", "check_pickle", "digest", "remember"]

_lock = threading.Lock()
_written: set[str] = set()


class UntrustedPickleWarning(UserWarning):
    """A pickle file from an untrusted source was loaded because the caller opted in."""


def digest(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def remember(path: Path) -> None:
    """Record a pickle file this process just wrote as trusted."""
    value = digest(path)
    with _lock:
        _written.add(value)


def check_pickle(path: Path, allow_pickle: bool | None) -> None:
    """Allow loading ``path``, warn, or raise, as the module docstring says.

    Args:
        path: The pickle file about to be loaded.
        allow_pickle: True opts in for untrusted files, False does not; None reads
            ``ARDEA_ALLOW_PICKLE``.

    Raises:
        FailedPreconditionError: an untrusted file without the opt-in.
    """
    value = digest(path)
    with _lock:
        trusted = value in _written
    if trusted:
        return
    if allow_pickle is None:
        allow_pickle = os.environ.get(ARDEA_ALLOW_PICKLE, "").strip().lower() in {"1", "true"}
    if not allow_pickle:
        raise FailedPreconditionError(
            f"Refusing to unpickle {path.name!r}: it was not written by this process, and "
            "unpickling runs arbitrary code. Load it only if you trust its source, with "
            f"allow_pickle=True or {ARDEA_ALLOW_PICKLE}=1."
        )
    warnings.warn(
        f"Unpickling {path.name!r} from an untrusted source (opted in): it can run any code.",
        UntrustedPickleWarning,
        stacklevel=3,
    )
