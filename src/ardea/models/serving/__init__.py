"""The scoring server behind ``ardea models serve`` (MLflow's ``/invocations`` protocol)."""

from __future__ import annotations

from ardea.models.serving._app import DEFAULT_MAX_BODY_BYTES, app_from_env, create_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "app_from_env", "create_app"]
