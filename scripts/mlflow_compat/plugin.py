"""pytest plugin: MLflow's server-backed suites talk to an external server instead.

Loaded inside MLflow's test venv with ``-p mlflow_compat.plugin`` (``scripts/`` on
``PYTHONPATH``) and configured by a JSON file named in ``ARDEA_MLFLOW_SUITES_CONFIG``; without
that variable it does nothing. MLflow's files are not edited. What it does:

- MLflow's fixtures (``mlflow_client``, ``client``, ``mlflow_server``, ...) configure an
  in-process store, then serve it with
  ``with ServerThread(app, port) as url`` (``tests/tracking/integration_test_utils.py``). After
  collection, this plugin replaces ``ServerThread`` in that module and in every collected test
  module with :class:`ExternalServer`, which starts a fresh ``ardea server`` or ``mlflow
  server`` (new database and port) and yields its URL. So every test gets a new server, as it
  does in MLflow's own runs, and the in-process store the fixture built is simply unused.
- The external server gets the default artifact root the fixture gave its in-process store
  (``handlers._tracking_store.artifact_root_uri``, e.g. the test's ``tmp_path``) and the
  server-side variables the test set (KEK passphrase, webhook key).
- The test process's tracking URI is set to that server too. MLflow's autouse
  ``tracking_uri_mock`` fixture points it at the SQLite file that the fixture's in-process
  server serves, so in MLflow's own runs the fluent API (``create_dataset``, ``start_span``)
  and the CLI write to the server's database directly; an external server has a database of
  its own, which they reach over HTTP instead.
- Tests matching the skip list are deselected; their node ids and reasons are written to
  the ``deselected`` JSON file of the config, with the skip-list patterns that matched nothing.
- Each test's node id goes into its junit ``<properties>`` (``nodeid``), and each started
  server is logged (node id, URL, log file, start seconds) to ``servers.jsonl``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import pytest

from mlflow_compat.patterns import PatternList
from mlflow_compat.servers import RunningServer, ServerConfig, ServerLauncher

CONFIG_ENV = "ARDEA_MLFLOW_SUITES_CONFIG"
# Server-side settings that MLflow's fixtures put in the test's environment for their
# in-process server; the external server receives them with the test's values.
SERVER_ENV_VARS = ("MLFLOW_CRYPTO_KEK_PASSPHRASE", "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY")
SERVER_UTILS_MODULE = "tests.tracking.integration_test_utils"


class _State:
    """What the plugin holds for one pytest session."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.launcher = ServerLauncher(ServerConfig.from_json(json.dumps(settings["server"])))
        self.live: list[RunningServer] = []
        self.index = Path(settings["server"]["workdir"]) / "servers.jsonl"


_STATE: _State | None = None


def _state() -> _State:
    if _STATE is None:
        raise RuntimeError(f"mlflow_compat.plugin is not configured ({CONFIG_ENV} unset)")
    return _STATE


def _fixture_artifact_root() -> str | None:
    """The default artifact root the MLflow fixture gave its in-process tracking store."""
    handlers = sys.modules.get("mlflow.server.handlers")
    store = getattr(handlers, "_tracking_store", None)
    root = getattr(store, "artifact_root_uri", None)
    return root if isinstance(root, str) and root else None


class ExternalServer:
    """Stand-in for MLflow's ``ServerThread``: the context manager yields an external URL.

    The ``app`` and ``port`` arguments are accepted and ignored: the server is a new
    ``ardea server`` or ``mlflow server`` process on a free port.
    """

    def __init__(self, app: object = None, port: int | None = None) -> None:
        self.app = app
        self.url = ""
        self._server: RunningServer | None = None

    def __enter__(self) -> str:
        state = _state()
        env = {k: os.environ[k] for k in SERVER_ENV_VARS if k in os.environ}
        self._server = state.launcher.start(default_artifact_root=_fixture_artifact_root(), env=env)
        state.live.append(self._server)
        self.url = self._server.url
        # tracking_uri_mock restores its own URI when the test ends.
        sys.modules["mlflow"].set_tracking_uri(self.url)
        record = {
            "nodeid": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0],
            "url": self.url,
            "log": str(self._server.log_path),
            "start_seconds": round(self._server.start_seconds, 3),
            "time": time.time(),
        }
        with state.index.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return self.url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()

    # ServerThread's thread-like methods, for callers that use it without ``with``.
    def start(self) -> None:
        """Start the server (``ServerThread.start``)."""
        self.__enter__()

    def shutdown(self) -> None:
        """Stop the server (``ServerThread.shutdown``)."""
        if self._server is not None:
            self._server.stop()
            if self._server in _state().live:
                _state().live.remove(self._server)
            self._server = None

    def join(self, timeout: float | None = None) -> None:
        """Nothing to wait for: :meth:`shutdown` already waited for the process."""


def pytest_configure(config: pytest.Config) -> None:
    """Read the JSON config named by ``ARDEA_MLFLOW_SUITES_CONFIG`` (inert without it)."""
    global _STATE
    path = os.environ.get(CONFIG_ENV)
    if path:
        _STATE = _State(json.loads(Path(path).read_text(encoding="utf-8")))
        Path(_STATE.settings["server"]["workdir"]).mkdir(parents=True, exist_ok=True)


def _patch_server_thread(modules: list[ModuleType]) -> None:
    """Make ``ServerThread`` mean :class:`ExternalServer` wherever the suites look it up."""
    __import__(SERVER_UTILS_MODULE)
    targets = [sys.modules[SERVER_UTILS_MODULE], *modules]
    for module in targets:
        if hasattr(module, "ServerThread"):
            module.ServerThread = ExternalServer  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Deselect skip-listed tests (recording why) and redirect the server fixtures."""
    if _STATE is None:
        return
    skip = PatternList.load(_STATE.settings["skiplist"])
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    records = []
    for item in items:
        entry = skip.match(item.nodeid)
        if entry is None:
            keep.append(item)
            continue
        dropped.append(item)
        records.append(
            {"nodeid": item.nodeid, "category": entry.category, "reason": entry.full_reason}
        )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    unused = [e.pattern for e in skip.unused(i.nodeid for i in [*keep, *dropped])]
    out = {"deselected": records, "unused_patterns": unused, "selected": len(keep)}
    Path(_STATE.settings["deselected"]).write_text(json.dumps(out, indent=1), encoding="utf-8")
    modules = {id(m): m for m in (getattr(i, "module", None) for i in keep) if m is not None}
    _patch_server_thread(list(modules.values()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Record the exact node id in the junit XML (``<property name="nodeid">``)."""
    if _STATE is not None:
        item.user_properties.append(("nodeid", item.nodeid))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop any server a test left running (an interrupted run, a fixture error)."""
    if _STATE is None:
        return
    for server in list(_STATE.live):
        server.stop()
    _STATE.live.clear()
