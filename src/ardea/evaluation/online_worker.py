"""``ardea scorer-worker``: run online scoring's code scorers outside the server.

A worker is a separate process that a user starts beside a server. It claims work rows of
the experiments it serves over the server's REST API (``/api/3.0/ardea/online-scoring``,
through the server's door: ``ARDEA_TRACKING_TOKEN`` or basic auth as every client), reads
each row's trace, runs the scorer and posts the feedbacks (the server stores them and marks
the row done in one transaction), or reports the failure.

Code scorers come from the modules the user names (:func:`load_scorers`): every
:class:`~ardea.evaluation.scorers.base.Scorer` instance those modules define (``@scorer``
functions, built-in or judge objects) answers to the registered scorer of its name. Code is
never rebuilt from the registered JSON. Each code scorer call runs in a child process: a
scorer that raises, hangs past its timeout or kills its process fails that row only (the
row's ``attempts`` count it; the store retries it up to three times), and the worker goes on
with the others. LLM judges rows (``--judges``) run in the worker process itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import importlib.util
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ardea._core.errors import ArdeaError, InvalidArgumentError
from ardea.api.mlflow_trace_json import assessment_to_json
from ardea.entities.online_scoring import KIND_CODE, KIND_JUDGE
from ardea.evaluation.online import NotReady, WorkFailed, score_work
from ardea.evaluation.scorers.base import Scorer
from ardea.evaluation.scorers.serialize import scorer_from_json
from ardea.store.rest.http import RestClient
from ardea.store.rest.traces import RestTraceStore

__all__ = ["ScorerWorker", "load_scorers"]

log = logging.getLogger(__name__)

_PATH = "/api/3.0/ardea/online-scoring"
CALL_TIMEOUT_S = 300.0
"""Longest a code scorer may run on one trace in its child process (then it is killed)."""

_LOCAL: dict[str, Scorer] = {}  # the child processes inherit these (fork) or reload them


def load_scorers(specs: Sequence[str]) -> dict[str, Scorer]:
    """The scorers defined by modules: each spec a ``.py`` file path or a module name.

    Raises:
        InvalidArgumentError: A module that cannot be found or imported.
    """
    found: dict[str, Scorer] = {}
    for spec in specs:
        try:
            if spec.endswith(".py"):
                path = Path(spec).resolve()
                name = f"ardea_worker_{path.stem}"
                loader = importlib.util.spec_from_file_location(name, path)
                if loader is None or loader.loader is None:
                    raise InvalidArgumentError(f"Cannot load scorers from {spec!r}")
                module = importlib.util.module_from_spec(loader)
                sys.modules[name] = module
                loader.loader.exec_module(module)
            else:
                module = importlib.import_module(spec)
        except ArdeaError:
            raise
        except Exception as exc:
            raise InvalidArgumentError(f"Cannot import scorers from {spec!r}: {exc}") from None
        for value in vars(module).values():
            if isinstance(value, Scorer):
                found[value.name] = value
    return found


def _child_init(specs: Sequence[str]) -> None:
    if not _LOCAL:
        _LOCAL.update(load_scorers(specs))


def _child_score(name: str, trace: Any) -> list[dict[str, Any]]:
    """Run local scorer ``name`` on ``trace`` (in a child process): feedbacks as JSON."""
    feedbacks = asyncio.run(score_work(_LOCAL[name], trace))
    return [assessment_to_json(f) for f in feedbacks]


class ScorerWorker:
    """Claims and runs online scoring work of some experiments of a server.

    Args:
        server_url: The server, e.g. ``http://127.0.0.1:5000``.
        experiment_ids: The experiments whose rows it takes.
        scorer_modules: Modules (or ``.py`` files) defining the code scorers it runs.
        judges: Also run LLM judge rows (they run in the server unless its loop is off).
        batch: Rows claimed at once.
        lease_seconds: How long a claim lasts before another worker may take the row.
        processes: Child processes running code scorers.
    """

    def __init__(
        self,
        server_url: str,
        experiment_ids: Sequence[str],
        scorer_modules: Sequence[str] = (),
        *,
        judges: bool = False,
        batch: int = 8,
        lease_seconds: float = 300.0,
        processes: int = 1,
    ) -> None:
        self.worker_id = f"worker:{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.experiment_ids = [str(e) for e in experiment_ids]
        self.kinds = [KIND_CODE, KIND_JUDGE] if judges else [KIND_CODE]
        self.batch = batch
        self.lease_seconds = lease_seconds
        self._modules = list(scorer_modules)
        _LOCAL.clear()
        _LOCAL.update(load_scorers(self._modules))
        self.local = dict(_LOCAL)
        self._processes = max(1, processes)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._rest = RestClient(server_url)
        self._traces = RestTraceStore(server_url, rest=self._rest)
        self._judges: dict[tuple[str, int], Scorer] = {}
        self.done = 0
        self.failed = 0

    def close(self) -> None:
        """Stop the child processes and close the connection."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._rest.close()

    def _pool_now(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self._processes, initializer=_child_init, initargs=(self._modules,)
            )
        return self._pool

    def _reset_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def claim(self) -> list[dict[str, Any]]:
        """Claim a batch of rows (empty when there is nothing to do)."""
        doc = self._rest.call(
            "POST",
            f"{_PATH}/claim",
            json={
                "worker_id": self.worker_id,
                "experiment_ids": self.experiment_ids,
                "max_items": self.batch,
                "lease_seconds": self.lease_seconds,
                "kinds": self.kinds,
            },
        )
        work = doc.get("work")
        return list(work) if isinstance(work, list) else []

    def _key(self, work: dict[str, Any]) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id,
            "trace_id": work["trace_id"],
            "scorer_id": work["scorer_id"],
            "scorer_version": work["scorer_version"],
        }

    def _fail(self, work: dict[str, Any], error: str, retry_in: float | None) -> None:
        self.failed += 1
        log.warning("Scorer %r on %s: %s", work["scorer_name"], work["trace_id"], error)
        body = {**self._key(work), "error": error[:4000], "retry_in_seconds": retry_in}
        self._rest.call("POST", f"{_PATH}/fail", json=body)

    def _feedbacks(self, work: dict[str, Any], trace: Any) -> list[dict[str, Any]]:
        name = work["scorer_name"]
        if name in self.local and not self.local[name].is_judge:
            future = self._pool_now().submit(_child_score, name, trace)
            try:
                return future.result(timeout=CALL_TIMEOUT_S)
            except concurrent.futures.TimeoutError:
                self._reset_pool()
                raise WorkFailed(f"Scorer {name!r} ran longer than {CALL_TIMEOUT_S:.0f}s") from None
            except BrokenProcessPool:
                self._reset_pool()
                raise WorkFailed(f"Scorer {name!r} crashed its process") from None
        scorer = self.local.get(name)
        if scorer is None:
            if work["kind"] == KIND_CODE:
                raise InvalidArgumentError(
                    f"Scorer {name!r} is code and this worker has no scorer of that name: "
                    "start it with the module that defines it (--scorers)"
                )
            key = (work["scorer_id"], int(work["scorer_version"]))
            scorer = self._judges.get(key) or scorer_from_json(work["serialized_scorer"])
            self._judges[key] = scorer
        return [assessment_to_json(f) for f in asyncio.run(score_work(scorer, trace))]

    def run_one(self, work: dict[str, Any]) -> None:
        """Run one claimed row and report it (never raises for a scorer's fault)."""
        attempts = int(work.get("attempts") or 1)
        try:
            trace = self._traces.get_trace(work["trace_id"])
            feedbacks = self._feedbacks(work, trace)
        except NotReady as exc:
            self._fail(work, str(exc), 1.0)
            return
        except WorkFailed as exc:
            self._fail(work, str(exc), 2.0**attempts)
            return
        except InvalidArgumentError as exc:
            self._fail(work, exc.message, None)
            return
        except Exception as exc:
            self._fail(work, f"{type(exc).__name__}: {exc}", 2.0**attempts)
            return
        body = {**self._key(work), "assessments": feedbacks}
        doc = self._rest.call("POST", f"{_PATH}/complete", json=body)
        if doc.get("accepted"):
            self.done += 1

    def run(self, *, poll_seconds: float = 1.0, until_idle: bool = False) -> None:
        """Claim and run rows until interrupted (or, ``until_idle``, until none is left)."""
        while True:
            work = self.claim()
            for one in work:
                self.run_one(one)
            if not work:
                if until_idle:
                    return
                time.sleep(poll_seconds)
