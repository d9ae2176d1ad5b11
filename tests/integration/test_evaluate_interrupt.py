"""Ctrl-C during ``ardea.evaluate``: a subprocess sent SIGINT mid-run stops and keeps (logs)
the rows that had finished. Asserts on what was logged, not on timings."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ardea
from ardea.tracing import provider

pytestmark = pytest.mark.slow

SCRIPT = """
import asyncio, signal, sys
# A CI started as a background job inherits SIGINT ignored: restore Ctrl-C's usual meaning.
signal.signal(signal.SIGINT, signal.default_int_handler)
import ardea
from ardea.scorers import scorer

ardea.set_tracking_uri(sys.argv[1])
ardea.set_experiment("interrupted")
progress = open(sys.argv[2], "a", buffering=1)

async def app(i):
    await asyncio.sleep(0.05)
    progress.write(f"{i}\\n")
    return str(i)

@scorer
def nonempty(outputs):
    return bool(outputs)

rows = [{"inputs": {"i": i}} for i in range(100_000)]
ardea.evaluate(rows, scorers=[nonempty], predict_fn=app, max_concurrency=4, cache=False)
"""


def test_sigint_keeps_the_finished_rows(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'track.db'}"
    progress = tmp_path / "progress.txt"
    progress.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARDEA_", "MLFLOW_"))}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, uri, str(progress)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "ARDEA_PROGRESS": "0"},
    )
    deadline = time.monotonic() + 120
    while len(progress.read_text().splitlines()) < 20:
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the evaluation never got going"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    found = re.search(
        r"interrupted: (\d+) of 100000 rows finished and were logged to run (\w+)", stderr
    )
    assert found, stderr[-3000:]
    done, run_id = int(found.group(1)), found.group(2)
    # 20 predictions were written; up to max_concurrency=4 of those rows may still have been
    # scoring when Ctrl-C came, so they are not finished
    assert 20 - 4 <= done < 100_000

    provider.reset()
    ardea.set_tracking_uri(uri)
    try:
        run = ardea.get_run(run_id)
        assert run.info.status == "KILLED"
        assert run.data.metric_values["nonempty/mean"] == 1.0
        traces = ardea.search_traces(
            experiment_ids=[run.info.experiment_id], run_id=run_id, return_type="list"
        )
        scored = [t for t in traces if any(a.name == "nonempty" for a in t.info.assessments)]
        assert len(scored) == done
        for t in scored:
            (a,) = [a for a in t.info.assessments if a.name == "nonempty"]
            assert a.value is True and a.metadata["mlflow.assessment.sourceRunId"] == run_id
    finally:
        ardea.set_tracking_uri(None)
