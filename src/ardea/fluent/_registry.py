"""The model registry, fluent: ``ardea.register_model`` and ``ardea.download_model``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ardea.entities import ModelVersion
from ardea.fluent._state import get_client

__all__ = ["download_model", "register_model"]


def register_model(
    model_uri: str, name: str, tags: Mapping[str, Any] | None = None
) -> ModelVersion:
    """Register a model as the next version of ``name`` (creating the registered model).

    Args:
        model_uri: ``runs:/<run_id>/<path>`` (the run's logged model of that name, else its
            artifacts under ``<path>``), ``models:/<model_id>``, ``models:/<name>/<version>``
            or ``models:/<name>@<alias>``, or any artifact URI.
        name: The registered model's name.
        tags: Tags of the new version.

    Returns:
        The new :class:`~ardea.entities.ModelVersion` (READY).
    """
    return get_client().register_model(model_uri, name, tags)


def download_model(model_uri: str, dst_path: str | None = None) -> str:
    """Download a registered version's files (``models:/fraud@champion``, ``models:/fraud/3``).

    Args:
        model_uri: A ``models:/`` URI.
        dst_path: Local folder (a new temporary folder when None).

    Returns:
        The local folder holding the files.
    """
    return get_client().download_model(model_uri, dst_path)
