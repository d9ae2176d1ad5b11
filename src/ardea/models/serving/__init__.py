"""The scoring server behind ``ardea models serve`` (MLflow's ``/invocations`` protocol).

The app (FastAPI) loads on first use, so ``ardea.models.serving._formats`` (the protocol,
shared with batch scoring) imports without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.models.serving._app import DEFAULT_MAX_BODY_BYTES, app_from_env, create_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "app_from_env", "create_app"]


def __getattr__(name: str) -> Any:
    """The app's names, imported on first use."""
    if name in __all__:
        from ardea.models.serving import _app

        return getattr(_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
