"""Fixtures shared by the whole suite.

Every test runs with ``ARDEA_STRICT=1`` (telemetry failures raise) and without any
``ARDEA_*`` / ``MLFLOW_*`` variable from the developer's shell. Tests that need PostgreSQL
use ``postgres_uri`` (MySQL/MariaDB: ``mysql_uri``): it skips with a reason when no server is
configured, and fails instead under ``CI=true``, where ``make test`` always provides one.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# The instrumented libraries' own telemetry and hub lookups stay off: nothing leaves the machine
# (set at import, before any test imports them; child processes inherit it).
_OFFLINE = {
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
}
for _name, _value in _OFFLINE.items():
    os.environ.setdefault(_name, _value)

_KEEP = {
    "ARDEA_TEST_POSTGRES_URI",
    "ARDEA_TEST_MYSQL_URI",
    "ARDEA_TEST_REDIS_URL",
    "ARDEA_TEST_MLFLOW_VERSION",
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if (name.startswith("ARDEA_") or name.startswith("MLFLOW_")) and name not in _KEEP:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARDEA_STRICT", "1")
    yield


def in_ci() -> bool:
    """True under CI (``CI=true``), where nothing may skip for lack of a service."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_service(env_var: str, what: str) -> str:
    """The URI in ``env_var``; skip (or fail under CI) when it is unset."""
    uri = os.environ.get(env_var)
    if not uri:
        msg = f"{what} not available: set {env_var} (make test starts one)"
        if in_ci():
            pytest.fail(msg + " -- under CI=true this test must run")
        pytest.skip(msg)
    return uri


@pytest.fixture(scope="session")
def postgres_uri() -> str:
    """URI of a PostgreSQL database the tests may wipe (``ARDEA_TEST_POSTGRES_URI``)."""
    return need_service("ARDEA_TEST_POSTGRES_URI", "PostgreSQL")


@pytest.fixture(scope="session")
def mysql_uri() -> str:
    """URI of a MySQL/MariaDB database the tests may wipe (``ARDEA_TEST_MYSQL_URI``)."""
    return need_service("ARDEA_TEST_MYSQL_URI", "MySQL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a Redis server the tests may use (``ARDEA_TEST_REDIS_URL``, scripts/redis.sh)."""
    return need_service("ARDEA_TEST_REDIS_URL", "Redis")


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, give this worker its own databases (``fixtures/xdist_services.py``)."""
    import sys
    from pathlib import Path

    tests = str(Path(__file__).parent)
    if tests not in sys.path:  # tests/ holds the shared fixture modules
        sys.path.insert(0, tests)
    from fixtures.xdist_services import isolate_worker_services

    isolate_worker_services()
    _import_spark_connect_in_a_worker()


# What a test may not leave in the checkout's root: the stores MLflow's and Ardea's clients
# and servers create in their working folder when nothing points them elsewhere.
_STRAY = ("mlflow.db", "mlruns", "mlartifacts", "ardea-data", "ardea.db")
_ROOT = Path(__file__).resolve().parents[1]
_stray_before: set[str] = set()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note which of the stray store names already exist in the checkout's root."""
    _stray_before.update(name for name in _STRAY if (_ROOT / name).exists())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Say so when a test left a store in the checkout's root (it could be committed).

    Checked once, in the controlling process (under pytest-xdist, not in each worker). A
    warning for now, not a failure: a whole run still leaves ``mlflow.db`` and
    ``ardea-data`` there (culprits not yet found; the agent-server tests were one).
    """
    if hasattr(session.config, "workerinput"):
        return
    left = [n for n in _STRAY if n not in _stray_before and (_ROOT / n).exists()]
    if left:
        session.config.get_terminal_writer().line(
            f"a test left {', '.join(left)} in {_ROOT}: run servers and clients in a "
            "temporary folder (or point their tracking URI there)",
            yellow=True,
        )


def _import_spark_connect_in_a_worker() -> None:
    """Import ``pyspark.sql.connect`` once, early, in a pytest-xdist worker.

    On import it calls ``sys.exit(0)`` ("Skipping doctests") when ``__main__`` has neither
    ``__spec__`` nor ``__file__``, as in an xdist worker, and mlflow's signature inference
    (``mlflow.pyfunc.log_model`` with an input example) imports it. Imported here while
    looking interactive (``sys.ps1``), it is cached and never runs that check again.
    """
    import importlib.util
    import sys

    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or hasattr(main, "__file__"):
        return
    if importlib.util.find_spec("pyspark") is None:
        return
    sys.ps1 = ">>> "
    try:
        import pyspark.sql.connect.dataframe  # noqa: F401
    except ImportError:  # its optional needs are missing: mlflow then gets an ImportError too
        sys.modules["pyspark.sql.connect.dataframe"] = None  # type: ignore[assignment]
    finally:
        del sys.ps1


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the workspace variants of contract tests that do not apply inside a workspace.

    They are left out at collection, with their reason in ``fixtures/workspaces.py``, rather
    than skipped: under ``CI=true`` no test may skip.
    """
    import sys
    from pathlib import Path

    tests = str(Path(__file__).parent)
    if tests not in sys.path:  # tests/ holds the shared fixture modules
        sys.path.insert(0, tests)
    from fixtures.workspaces import not_run_reason

    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        found = getattr(item, "module", None)
        module = found.__name__.rsplit(".", 1)[-1] if found is not None else ""
        test = getattr(item, "originalname", item.name)
        if any(isinstance(p, str) and not_run_reason(p, module, test) is not None for p in params):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
