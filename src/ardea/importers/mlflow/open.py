"""Open the :class:`~ardea.importers.mlflow.source.MlflowSource` a ``--from`` URI names."""

from __future__ import annotations

from ardea._core.errors import InvalidArgumentError
from ardea.importers.mlflow.source import MlflowSource
from ardea.store.uri import is_server_uri

__all__ = ["open_source"]


def open_source(uri: str, artifacts_root: str | None = None) -> MlflowSource:
    """An MLflow server (``http(s)://``) or an MLflow database (any SQLAlchemy URI).

    Args:
        uri: The server's URL or MLflow's ``--backend-store-uri``.
        artifacts_root: Database sources: the server's ``--artifacts-destination``.

    Raises:
        InvalidArgumentError: Neither a server URL nor a database URI.
    """
    if is_server_uri(uri):
        from ardea.importers.mlflow.rest_source import RestMlflowSource

        return RestMlflowSource(uri)
    if "://" not in uri:
        raise InvalidArgumentError(
            f"--from {uri!r}: give MLflow's database URI (sqlite:///path/mlflow.db, "
            "postgresql://..., mysql://...) or its server URL (http://host:port)"
        )
    from ardea.importers.mlflow.sql_source import SqlMlflowSource

    return SqlMlflowSource(uri, artifacts_root)
