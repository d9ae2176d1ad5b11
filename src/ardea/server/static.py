"""Serve the built web UI (``ui/`` -> ``server/static/ui``) at ``/``.

- Files of the build are served as they are: Vite's content-hashed ``assets/*`` with
  ``Cache-Control: public, max-age=31536000, immutable``, everything else ``no-cache``.
- Any other ``GET``/``HEAD`` path that is not an API path (``/api``, ``/ajax-api``, ``/v1``,
  ``/health`` ...) is a client-side route and gets ``index.html`` (``no-cache``), so shared
  URLs such as ``/experiments/1/runs?filter=...`` open directly.
- Every HTML page gets a strict Content-Security-Policy from
  :class:`~ardea.server.security.SecurityMiddleware` (:data:`CONTENT_SECURITY_POLICY` with the
  default ``X-Frame-Options``): the UI ships no inline scripts or styles, so ``script-src
  'self'`` and ``style-src 'self'`` hold, and user data can never run as code.
- A path with a segment longer than :data:`MAX_SEGMENT_BYTES` (or longer than
  :data:`MAX_PATH_BYTES` in all) names no file and no client-side route: a plain 404, without
  asking the file system (which would refuse the name).
- When the UI is not built, the same paths answer a plain-text hint instead.

:func:`mount_ui` appends one route that matches only such paths; it must run after every
other route is included, so API paths keep their own 404/405 answers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from ardea._core.env import ARDEA_UI_DEV_URL
from ardea.server.security import CONTENT_SECURITY_POLICY

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DEV_URL_ENV",
    "DEFAULT_BUILD_DIR",
    "MAX_PATH_BYTES",
    "MAX_SEGMENT_BYTES",
    "NOT_BUILT_HINT",
    "UiRoute",
    "ViteProxyRoute",
    "mount_ui",
]

DEFAULT_BUILD_DIR = Path(__file__).parent / "static" / "ui"
"""Where ``scripts/build-ui.sh`` (``npm run build`` in ``ui/``) writes the UI."""


NOT_BUILT_HINT = (
    "The Ardea web UI is not built.\n\n"
    "Build it with `make run` (or `bash scripts/build-ui.sh`, which needs Node.js 20+ and npm);\n"
    "the REST API is served under /api/2.0 and /api/3.0 either way.\n"
)
"""The plain-text answer to UI paths when there is no build."""

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"

MAX_SEGMENT_BYTES = 255
"""Longest UI path segment looked up on disk (the usual file-name limit, ``NAME_MAX``)."""
MAX_PATH_BYTES = 4096
"""Longest UI path looked up on disk (``PATH_MAX``)."""

_API_PREFIXES = ("api", "ajax-api", "v1", "get-artifact", "model-versions", "mlflow-artifacts")
_API_EXACT = frozenset({"health", "version", "docs", "redoc", "openapi.json"})
_METHODS = frozenset({"GET", "HEAD"})
_CLIENT_PAGES = frozenset({"static-files/lib/notebook-trace-renderer/index.html"})
"""Paths that look like files but are pages of the web app: MLflow's notebook trace renderer,
which the mlflow client's notebook display loads (the UI opens the trace it names)."""


def _is_api_path(path: str) -> bool:
    """Whether ``path`` (without the leading slash) belongs to the server, not the UI."""
    first = path.split("/", 1)[0]
    return first in _API_PREFIXES or path in _API_EXACT or first in _API_EXACT


def _too_long(rel: str) -> bool:
    """Whether a UI path (without the leading slash) is longer than a file system allows."""
    if len(rel) * 4 <= MAX_SEGMENT_BYTES:  # the common case: too short to be too long
        return False
    return len(rel.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES or any(
        len(part.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES for part in rel.split("/")
    )


class UiRoute(BaseRoute):
    """A route that matches ``GET``/``HEAD`` on every non-API path and serves the UI.

    Args:
        build_dir: The folder holding ``index.html`` and ``assets/``.
    """

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir.resolve()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Full match for UI paths; none for API paths and other methods (their 404/405)."""
        if scope["type"] != "http" or scope.get("method") not in _METHODS:
            return Match.NONE, {}
        if _is_api_path(scope["path"].lstrip("/")):
            return Match.NONE, {}
        return Match.FULL, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        """UiRoute has no name: always raises ``NoMatchFound`` (Starlette's protocol)."""
        from starlette.routing import NoMatchFound

        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one UI request."""
        await self.response_for(scope["path"])(scope, receive, send)

    def response_for(self, url_path: str) -> Response:
        """The response for ``url_path``: a build file, ``index.html``, a 404 or the hint."""
        index = self.build_dir / "index.html"
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT_HINT, headers={"Cache-Control": NO_CACHE})
        rel = url_path.lstrip("/")
        if _too_long(rel):
            # No file or client-side route has such a name; the file system would refuse it.
            return PlainTextResponse("Not found\n", status_code=404)
        file = self._file(rel)
        if file is not None:
            immutable = rel.startswith("assets/")
            return FileResponse(
                file, headers={"Cache-Control": IMMUTABLE if immutable else NO_CACHE}
            )
        last = rel.rsplit("/", 1)[-1]
        if (rel.startswith("assets/") or "." in last) and rel not in _CLIENT_PAGES:
            # A missing file (an old hashed chunk, a typo): never answer it with HTML.
            return PlainTextResponse("Not found\n", status_code=404)
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})

    def _file(self, rel: str) -> Path | None:
        """The build file at ``rel``, or ``None`` when absent or outside the build folder."""
        if not rel or "\x00" in rel or "\\" in rel:
            return None
        try:
            candidate = (self.build_dir / rel).resolve()
            if not candidate.is_relative_to(self.build_dir) or not candidate.is_file():
                return None
        except (OSError, ValueError):  # e.g. a name the file system refuses: no such file
            return None
        return candidate


class ViteProxyRoute(UiRoute):
    """``ardea server --dev``: UI paths are proxied to a Vite dev server (``npm run dev``).

    The page then comes from Vite with hot reload (its websocket goes to Vite directly, see
    ``ui/vite.config.ts``), while API calls stay on this server. No CSP here: Vite's dev
    page needs inline scripts. Never used outside ``--dev``.

    Args:
        vite_url: Where Vite listens, e.g. ``http://127.0.0.1:5173``.
    """

    def __init__(self, vite_url: str) -> None:
        super().__init__(DEFAULT_BUILD_DIR)
        self.vite_url = vite_url.rstrip("/")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Fetch the same path from Vite and answer with its status, type and body."""
        import httpx

        query = scope.get("query_string", b"").decode("latin-1")
        url = self.vite_url + scope["path"] + (f"?{query}" if query else "")
        try:
            async with httpx.AsyncClient(timeout=30) as client:
                upstream = await client.request(scope["method"], url)
        except httpx.HTTPError:
            hint = (
                f"The Vite dev server is not reachable at {self.vite_url}.\n"
                "Start it with: cd ui && npm run dev   (or set ARDEA_UI_DEV_URL)\n"
            )
            await PlainTextResponse(hint, status_code=502)(scope, receive, send)
            return
        headers = {"Cache-Control": NO_CACHE}
        if "content-type" in upstream.headers:
            headers["Content-Type"] = upstream.headers["content-type"]
        response = Response(upstream.content, status_code=upstream.status_code, headers=headers)
        await response(scope, receive, send)


DEV_URL_ENV = ARDEA_UI_DEV_URL
"""Where ``ardea server --dev`` finds the Vite dev server (default ``http://127.0.0.1:5173``)."""


def mount_ui(app: Starlette, build_dir: Path | None = None, *, dev: bool = False) -> None:
    """Append the UI route to ``app`` (a FastAPI or Starlette app); call it after all others.

    Args:
        app: The app whose router gets the route.
        build_dir: The UI build folder; :data:`DEFAULT_BUILD_DIR` when ``None``. It is read
            on every request, so a build made while the server runs is picked up.
        dev: Proxy UI paths to the Vite dev server at ``$ARDEA_UI_DEV_URL`` instead
            (:class:`ViteProxyRoute`).
    """
    if dev:
        vite = os.environ.get(DEV_URL_ENV) or "http://127.0.0.1:5173"
        app.router.routes.append(ViteProxyRoute(vite))
        return
    app.router.routes.append(UiRoute(build_dir or DEFAULT_BUILD_DIR))
