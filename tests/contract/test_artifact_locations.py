"""Experiment artifact locations inside Ardea's own folders are refused (issue 11, Part C, 6).

A location with a ``.ardea-*`` path segment (``.ardea-mpu``: multipart uploads staged there are
swept after a week; ``.ardea-tmp-*`` / ``.ardea-del-*``: a store's temporary files) would
have its runs' artifacts deleted or clobbered by the store. Every backend refuses it when the
experiment is created (400 INVALID_PARAMETER_VALUE over REST), and nothing is created.
"""

from __future__ import annotations

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.store.backend import Backend

RESERVED = [
    "mlflow-artifacts:/.ardea-mpu",
    "mlflow-artifacts:/1/.ardea-mpu/0123456789abcdef0123456789abcdef",
    "mlflow-artifacts:/x/%2Eardea-mpu",
    "/srv/ardea/artifacts/.ardea-mpu",
    "file:///srv/ardea/artifacts/.ardea-tmp-abc",
    "s3://bucket/prefix/.ardea-mpu/upload",
    "gs://bucket/.ardea-del-x/y",
]


@pytest.mark.parametrize("location", RESERVED)
def test_reserved_folders_are_refused(backend: Backend, location: str) -> None:
    store = backend.tracking
    before = [e.experiment_id for e in store.search_experiments(view_type="ALL")]  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"\.ardea-|--allow-artifact-root"):
        store.create_experiment("staged", artifact_location=location)
    after = [e.experiment_id for e in store.search_experiments(view_type="ALL")]  # type: ignore[arg-type]
    assert after == before


@pytest.mark.parametrize(
    "location",
    ["mlflow-artifacts:/team/a", "mlflow-artifacts:/x/.ardea", "mlflow-artifacts:/.ardeax"],
)
def test_ordinary_locations_are_kept(backend: Backend, location: str) -> None:
    store = backend.tracking
    experiment_id = store.create_experiment(f"ok-{location}", artifact_location=location)
    assert store.get_experiment(experiment_id).artifact_location == location
