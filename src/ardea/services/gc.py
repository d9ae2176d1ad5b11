"""Garbage collection (``ardea gc``): purge soft-deleted entities and their artifacts.

:func:`collect` works through a :class:`~ardea.store.purge.PurgePlan` kind by kind (logged
models, runs, experiments), a batch at a time: it deletes each entity's artifact roots
through the artifact store contract (a local folder, an object-store prefix, or the
backend's ``mlflow-artifacts:/`` destination), then purges the batch's rows in one
transaction. Artifacts go first: if the rows went first and an artifact delete then failed,
the files would be left with nothing pointing at them. An entity whose artifacts could not be
deleted keeps its rows (it is reported, and a later run tries again); artifacts this process
cannot address at all (another server's ``mlflow-artifacts://host/...``, ``http(s)://``) are
reported as warnings and the rows are purged anyway, as MLflow's ``gc`` does.

An entity restored while its artifacts were being deleted keeps its rows (the purge re-checks
the deleted stage in its transaction) but has lost its artifacts: run ``gc`` when nobody is
restoring what it is about to remove.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ardea._core.errors import ArdeaError, InvalidArgumentError
from ardea.store.artifacts.paths import safe_relpath
from ardea.store.artifacts.resolve import (
    OBJECT_STORE_SCHEMES,
    is_local_uri,
    local_path,
    resolve_artifact_store,
    split_artifact_uri,
)
from ardea.store.backend import Backend
from ardea.store.purge import Purgeable, PurgePlan

__all__ = ["DEFAULT_BATCH_SIZE", "GcResult", "UnreachableArtifactsError", "collect", "delete_root"]

DEFAULT_BATCH_SIZE = 100
"""Entities purged per transaction."""


class UnreachableArtifactsError(Exception):
    """Artifacts this process cannot address (or must not delete whole): skipped, with a note."""


@dataclass
class GcResult:
    """What :func:`collect` did.

    Attributes:
        purged: The entities removed for good, in order.
        failed: Entities kept because deleting their artifacts failed, with the reason.
        skipped: Entities the purge left alone because they changed after the plan (restored,
            or now used by a model version).
        warnings: Artifact roots that were not deleted because they cannot be addressed here.
    """

    purged: list[Purgeable] = field(default_factory=list)
    failed: list[tuple[Purgeable, str]] = field(default_factory=list)
    skipped: list[Purgeable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def delete_root(backend: Backend, uri: str) -> None:
    """Delete the artifact folder (or object prefix) ``uri`` and everything under it.

    Args:
        backend: Its artifacts destination serves ``mlflow-artifacts:/`` URIs.
        uri: A folder path, ``file:``, ``s3://``/``gs://``/``az://``... or
            ``mlflow-artifacts:/`` URI. A missing folder is not an error.

    Raises:
        UnreachableArtifactsError: ``uri`` cannot be addressed from here, or is a whole store
            (a bucket, the artifacts destination, ``/``) that is never deleted whole.
        ArdeaError: The store refused or failed.
    """
    parsed = urlparse(uri)
    scheme = parsed.scheme.lower() if len(parsed.scheme) > 1 else ""
    if scheme == "mlflow-artifacts":
        if parsed.netloc:
            raise UnreachableArtifactsError(f"{uri}: artifacts of another server")
        path = safe_relpath(parsed.path.lstrip("/"))
        if not path:
            raise UnreachableArtifactsError(f"{uri}: the whole artifacts destination")
        backend.artifacts.delete(path)
        return
    if is_local_uri(uri):
        folder = Path(local_path(uri))
        if not folder.exists() and not folder.is_symlink():
            return
        if folder.parent == folder:
            raise UnreachableArtifactsError(f"{uri}: a file system root")
        from ardea.store.artifacts.local import LocalArtifactStore

        LocalArtifactStore(folder.parent).delete(folder.name)
        return
    if scheme in OBJECT_STORE_SCHEMES:
        try:
            parent, name = split_artifact_uri(uri)
        except InvalidArgumentError:
            raise UnreachableArtifactsError(f"{uri}: a whole bucket") from None
        store = resolve_artifact_store(parent)
        try:
            store.delete(name)
        finally:
            store.close()
        return
    raise UnreachableArtifactsError(f"{uri}: artifacts behind a {scheme!r} URI")


def _chunks(items: Sequence[Purgeable], size: int) -> list[Sequence[Purgeable]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def collect(
    backend: Backend,
    plan: PurgePlan,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_done: Callable[[Purgeable, str], None] | None = None,
) -> GcResult:
    """Purge what ``plan`` lists, artifacts first, one transaction per batch.

    Args:
        backend: A database backend (a server's refuses: its ``purge`` raises).
        plan: From ``backend.purge.plan_purge(...)``.
        batch_size: Entities per transaction.
        on_done: Called once per entity with ``"purged"``, ``"failed"`` or ``"skipped"`` (for
            progress and per-entity output).

    Returns:
        What was purged, kept and skipped.
    """
    if batch_size < 1:
        raise InvalidArgumentError("batch_size must be at least 1")
    result = GcResult()
    report = on_done or (lambda item, outcome: None)
    purgers: tuple[tuple[Sequence[Purgeable], Callable[[Sequence[str]], list[str]]], ...] = (
        (plan.logged_models, backend.purge.purge_logged_models),
        (plan.runs, backend.purge.purge_runs),
        (plan.experiments, backend.purge.purge_experiments),
    )
    for items, purge in purgers:
        for batch in _chunks(items, batch_size):
            ready: list[Purgeable] = []
            for item in batch:
                reason = _delete_artifacts(backend, item, result.warnings)
                if reason is None:
                    ready.append(item)
                else:
                    result.failed.append((item, reason))
                    report(item, "failed")
            done = set(purge([item.entity_id for item in ready])) if ready else set()
            for item in ready:
                if item.entity_id in done:
                    result.purged.append(item)
                    report(item, "purged")
                else:
                    result.skipped.append(item)
                    report(item, "skipped")
    return result


def _delete_artifacts(backend: Backend, item: Purgeable, warnings: list[str]) -> str | None:
    """Delete ``item``'s artifact roots; the reason it failed, or None."""
    for uri in item.artifact_uris:
        try:
            delete_root(backend, uri)
        except UnreachableArtifactsError as exc:
            warnings.append(f"{item.kind} {item.entity_id}: not deleted: {exc}")
        except (ArdeaError, OSError) as exc:
            return f"deleting {uri} failed: {exc}"
    return None
