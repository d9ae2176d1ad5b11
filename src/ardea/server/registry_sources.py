"""Server-side rules for a model version's ``source`` (as MLflow's server enforces them).

A client must not be able to register a version that points at files on the server's disk
outside the artifacts of the run or logged model it came from, nor smuggle ``..`` segments
into a remote URI. Prompt versions must use a placeholder source. Embedded (serverless) use
of the registry store does not apply these rules: there the caller owns the disk anyway.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from ardea._core.errors import InvalidArgumentError
from ardea.entities.registry import PROMPT_TAG
from ardea.store.artifacts.resolve import is_local_uri, local_path
from ardea.store.registry_validation import check_text
from ardea.store.tracking import TrackingStore

__all__ = ["PROMPT_SOURCES", "check_version_source"]

PROMPT_SOURCES = frozenset({"dummy-source", "prompt-template"})
"""Placeholder sources of prompt versions (they have no files)."""


def _invalid(source: str, why: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"Invalid model version source: '{source}'. {why}")


def _inside(source: str, root_uri: str) -> bool:
    if not is_local_uri(root_uri):
        return False
    path = Path(local_path(source)).resolve()
    root = Path(local_path(root_uri)).resolve()
    return path == root or root in path.parents


def _has_relative_parts(source: str) -> bool:
    text = source
    while (unquoted := urllib.parse.unquote_plus(text)) != text:
        text = unquoted
    return "\x00" in text or any(part in ("..", ".") for part in text.split("/"))


def check_version_source(
    tracking: TrackingStore,
    source: str,
    run_id: str | None,
    model_id: str | None,
    tags: Sequence[tuple[str, str]],
) -> None:
    """Raise InvalidArgumentError unless ``source`` may be registered through the server.

    Args:
        tracking: Where the run or logged model named by ``run_id``/``model_id`` is.
        source: The requested source.
        run_id: The request's run id, if any.
        model_id: The request's logged model id, if any.
        tags: The request's version tags (a prompt version is tagged
            ``mlflow.prompt.is_prompt = "true"``).
    """
    for field, value in (("source", source), ("run_id", run_id), ("model_id", model_id)):
        check_text(field, value)
    if dict(tags).get(PROMPT_TAG, "false").lower() == "true":
        if source not in PROMPT_SOURCES:
            raise InvalidArgumentError(
                f"Invalid prompt source: '{source}'. Prompt sources must use an MLflow placeholder."
            )
        return
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme == "models" and parsed.netloc:
        raise _invalid(source, "Registered model sources must use the active model registry.")
    if is_local_uri(source):
        local_path(source)  # a file: URI naming another host "is not a valid remote uri"
        if model_id and _inside(source, tracking.get_logged_model(model_id).artifact_location):
            return
        if run_id and _inside(source, tracking.get_run(run_id).info.artifact_uri):
            return
        raise _invalid(
            source,
            "To use a local path as a model version source, the run_id request parameter has "
            "to be specified and the local path has to be contained within the artifact "
            "directory of the run specified by the run_id.",
        )
    if _has_relative_parts(source):
        raise _invalid(
            source,
            "If supplying a source as an http, https, local file path, ftp, objectstore, or "
            "mlflow-artifacts uri, an absolute path must be provided without relative path "
            "references present. Please provide an absolute path.",
        )
