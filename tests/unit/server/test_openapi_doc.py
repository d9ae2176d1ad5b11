"""The committed docs/openapi.json matches what the app generates."""

from __future__ import annotations

import json
from pathlib import Path

from ardea.server.openapi_doc import REGENERATE_COMMAND, render_openapi_document

DOC = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_committed_openapi_document_is_current() -> None:
    fresh = render_openapi_document()
    assert DOC.exists(), f"docs/openapi.json is missing: regenerate with `{REGENERATE_COMMAND}`"
    committed = DOC.read_text(encoding="utf-8")
    assert committed == fresh, (
        f"docs/openapi.json is stale (routes or request specs changed): regenerate with "
        f"`{REGENERATE_COMMAND}` and commit it"
    )


def test_document_describes_the_mlflow_api() -> None:
    doc = json.loads(render_openapi_document())
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    assert "post" in paths["/api/2.0/mlflow/runs/log-batch"]
    assert "get" in paths["/api/2.0/mlflow/logged-models/{model_id}"]
    # A route served under both prefixes is documented once, as its /api copy; the UI's
    # ajax-only routes (create-promptlab-run, search-datasets, ...) under /ajax-api.
    twins = [p for p in paths if p.startswith("/ajax-api/") and "/api/" + p[10:] in paths]
    assert twins == []
    assert "/api/2.0/mlflow/runs/create-promptlab-run" not in paths
    assert "post" in paths["/ajax-api/2.0/mlflow/runs/create-promptlab-run"]
