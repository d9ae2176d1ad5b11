"""The ``ardea`` commands through click's CliRunner, on a data folder of their own.

``data`` is an empty data folder (its path is the tracking URI the commands get);
``ardea(*args)`` runs one command and returns click's result; ``seeded`` adds an experiment
with two finished runs (params, metrics, tags, an artifact) through the SDK.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ardea.cli.main import cli

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)
_s3 = importlib.import_module("fixtures.s3")
s3_server = _s3.s3_server
s3_env = _s3.s3_env


@pytest.fixture
def data(tmp_path: Path) -> str:
    """An empty data folder, as a tracking URI (a path)."""
    return str(tmp_path / "data")


@pytest.fixture
def ardea(data: str) -> Callable[..., Result]:
    """Run ``ardea <args>`` on ``data`` (``--tracking-uri`` added unless given)."""

    def run(*args: str, uri: str | None = data, env: dict[str, str] | None = None) -> Result:
        argv = list(args)
        if uri is not None:
            argv += ["--tracking-uri", uri]
        return CliRunner().invoke(cli, argv, env=env)

    return run


@dataclass
class Seeded:
    experiment_id: str
    run_ids: list[str]  # oldest first


@pytest.fixture
def seeded(data: str) -> Seeded:
    """Experiment "fraud" with runs "r0" and "r1": param lr, metric acc, a notes/a.txt."""
    from ardea.client import ArdeaClient

    client = ArdeaClient(data)
    try:
        eid = client.create_experiment("fraud", tags={"team": "risk"})
        run_ids = []
        for i in range(2):
            run = client.create_run(eid, start_time=1_700_000_000_000 + i, run_name=f"r{i}")
            rid = run.info.run_id
            client.log_param(rid, "lr", 0.1 * (i + 1))
            client.log_metric(rid, "acc", 0.8 + i / 10, step=0)
            client.set_tag(rid, "team", "risk")
            client.log_text(rid, f"notes of r{i}", "notes/a.txt")
            client.set_terminated(rid)
            run_ids.append(rid)
    finally:
        client.close()
    return Seeded(eid, run_ids)
