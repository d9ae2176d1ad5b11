"""The REST backend: a client of an Ardea or MLflow server over the MLflow wire protocol.

Importing this package imports httpx; nothing on the ``import ardea`` path does.
"""

from ardea.store.rest.artifacts import HttpArtifactStore
from ardea.store.rest.http import RestClient
from ardea.store.rest.tracking import RestTrackingStore

__all__ = ["HttpArtifactStore", "RestClient", "RestTrackingStore"]
