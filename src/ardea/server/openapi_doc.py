"""The committed OpenAPI document (``docs/openapi.json``) and the command that writes it.

Regenerate after changing a route or a request spec::

    .venv/bin/python -m ardea.server.openapi_doc > docs/openapi.json

``tests/unit/server/test_openapi_doc.py`` fails while the committed file is stale.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["REGENERATE_COMMAND", "openapi_document", "render_openapi_document"]

REGENERATE_COMMAND = ".venv/bin/python -m ardea.server.openapi_doc > docs/openapi.json"
"""The shell command (run from the repository root) that rewrites ``docs/openapi.json``."""


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of an app with default settings (artifact proxy on, no dev docs).

    The app is built over throw-away stores in a temporary folder; building the document
    never touches them.
    """
    from ardea.server.app import create_app
    from ardea.server.deps import ServerDeps, ServerSettings
    from ardea.store.sql.backend import open_sql_backend

    with tempfile.TemporaryDirectory(prefix="ardea-openapi-") as tmp:
        backend = open_sql_backend(
            f"sqlite:///{Path(tmp) / 'ardea.db'}", artifacts_destination=str(Path(tmp) / "art")
        )
        try:
            return create_app(ServerDeps(backend, ServerSettings())).openapi()
        finally:
            backend.close()


def render_openapi_document() -> str:
    """:func:`openapi_document` as stable JSON text (sorted keys, 2-space indent, final newline)."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the document to standard output."""
    sys.stdout.write(render_openapi_document())


if __name__ == "__main__":
    main()
