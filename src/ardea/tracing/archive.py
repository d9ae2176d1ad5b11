"""Trace archival: due traces written to Parquet in the object store, and read back by id.

The retention sweep (:mod:`ardea.services.retention`) archives a batch of an experiment whose
policy says ``archive`` before deleting it, through the ``archiver`` its caller hands it (the
server and :class:`~ardea.client.ArdeaClient` pass :func:`write_archive`; ``services`` cannot
import ``tracing``): :func:`write_archive` writes the batch as one
Parquet dataset (:mod:`ardea.tracing.parquet`'s layout: ``traces/`` and ``spans/`` parts)
under ``<experiment artifact location>/traces-archive/<date>-<id>/`` and returns that folder,
which the store indexes per trace (``archived_traces``) in the transaction that deletes the
rows. :func:`load_archived` is what GetTrace falls back to for an id the database no longer
holds.

The artifact location may be a folder, ``file:``, ``s3://``/``gs://``/``az://`` or the
server's ``mlflow-artifacts:/`` (the backend's artifacts destination).
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from ardea._core.errors import FailedPreconditionError
from ardea.entities import Trace
from ardea.store.artifacts.base import ArtifactStore
from ardea.store.artifacts.paths import safe_relpath
from ardea.store.artifacts.resolve import resolve_artifact_store
from ardea.store.backend import Backend
from ardea.store.retention import RetentionTarget

__all__ = ["ARCHIVE_FOLDER", "load_archived", "open_archive_store", "write_archive"]

ARCHIVE_FOLDER = "traces-archive"
"""The folder under an experiment's artifact location that holds its archived traces."""


def open_archive_store(backend: Backend, uri: str) -> ArtifactStore:
    """The artifact store rooted at ``uri`` (``mlflow-artifacts:/`` through ``backend``)."""
    parsed = urlparse(uri)
    if parsed.scheme.lower() == "mlflow-artifacts":
        if parsed.netloc:
            raise FailedPreconditionError(f"{uri}: artifacts of another server")
        return backend.artifacts_at(safe_relpath(parsed.path.lstrip("/")))
    return resolve_artifact_store(uri)


def write_archive(backend: Backend, target: RetentionTarget, traces: list[Trace]) -> str:
    """Write ``traces`` (of ``target``'s experiment) as one Parquet dataset; its folder URI."""
    from ardea.tracing.parquet import write_traces

    experiment = backend.scoped(target.workspace).tracking.get_experiment(target.experiment_id)
    stamp = time.strftime("%Y%m%d", time.gmtime())
    folder = f"{experiment.artifact_location.rstrip('/')}/{ARCHIVE_FOLDER}/"
    folder += f"{stamp}-{uuid.uuid4().hex[:12]}"
    store = open_archive_store(backend, folder)
    try:
        with tempfile.TemporaryDirectory(prefix="ardea-archive-") as tmp:
            write_traces(traces, tmp)
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    store.put_file(path.relative_to(tmp).as_posix(), path)
    finally:
        store.close()
    return folder


def _download(store: ArtifactStore, into: Path, path: str = "") -> None:
    for info in store.list(path):
        if info.is_dir:
            _download(store, into, info.path)
        else:
            target = into / info.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(store.get(info.path))


def load_archived(backend: Backend, trace_id: str) -> Trace | None:
    """The archived trace ``trace_id`` of the backend's workspace (None: not archived)."""
    from ardea.tracing.parquet import read_traces

    location = backend.retention.archived_location(trace_id)
    if location is None:
        return None
    store = open_archive_store(backend, location)
    try:
        with tempfile.TemporaryDirectory(prefix="ardea-archive-") as tmp:
            _download(store, Path(tmp))
            found = [t for t in read_traces(tmp) if t.info.trace_id == trace_id]
    finally:
        store.close()
    return found[0] if found else None
