"""Online scoring in the server: the ingest hook and the in-server scorer loop.

:class:`OnlineScoring` is built by ``create_app`` (one per app, on ``ServerRuntime.online``):

- new traces are sampled by the trace stores, in the write that ends them, whoever writes
  them (the trace routes, the gateway's trace writer process, an SDK on the same database):
  ``store/sql/online_scoring/sampler.py``. Rows stored by this process wake the loop at once
  (:meth:`OnlineScoring.start` listens); rows from other processes are claimed within
  ``ARDEA_ONLINE_SCORING_POLL_SECONDS``.
- the loop (started by the app's lifespan unless ``ARDEA_ONLINE_SCORING=0``, and only on a
  SQL backend) claims batches of ``judge`` rows of every workspace under a lease, runs them
  through :mod:`ardea.evaluation.online` (LLM judges through ``ardea.llm``, at most
  ``ARDEA_ONLINE_SCORING_CONCURRENCY`` at once, at most ``ARDEA_ONLINE_SCORING_PROVIDER_RPS``
  calls a second per provider) and completes each row (assessments and "done" in one
  transaction). Between batches it sleeps ``ARDEA_ONLINE_SCORING_POLL_SECONDS`` unless an
  enqueue in this process wakes it. Code scorers' rows are left to ``ardea scorer-worker``.
- when the unfinished rows (every replica's) exceed ``ARDEA_ONLINE_SCORING_MAX_BACKLOG``,
  new traces are sampled at ``rate * max_backlog / backlog`` (the stores apply it; this
  process's view of it is :attr:`degrade_factor`, shown by
  ``GET /api/3.0/ardea/online-scoring/status``): the scorer sheds load, never the ingest path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ardea._core import env
from ardea._core.errors import ArdeaError
from ardea.entities.online_scoring import KIND_JUDGE, ClaimedWork
from ardea.server.online_completions import Completions
from ardea.server.online_process import LoopProcess, LoopSpec
from ardea.store.backend import Backend
from ardea.store.online_sampling import degrade_factor

if TYPE_CHECKING:
    from ardea.evaluation.online import ScorerCache

__all__ = ["OnlineScoring", "OnlineSettings", "ProviderRateLimiter"]

log = logging.getLogger(__name__)

BACKLOG_REFRESH_S = 2.0
"""Seconds between two counts of the backlog (for :attr:`OnlineScoring.degrade_factor`)."""
WATCH_SECONDS = 2.0
"""Seconds between two checks for waiting rows while no scorer process runs."""


class OnlineSettings:
    """The loop's settings, read from the environment (see docs/configuration.md)."""

    def __init__(self) -> None:
        self.enabled = os.environ.get(env.ARDEA_ONLINE_SCORING, "1").strip() != "0"
        number = env.env_number
        self.poll_seconds = number(env.ARDEA_ONLINE_SCORING_POLL_SECONDS, 0.5, minimum=0.05)
        self.concurrency = int(number(env.ARDEA_ONLINE_SCORING_CONCURRENCY, 16, minimum=1))
        self.max_backlog = int(number(env.ARDEA_ONLINE_SCORING_MAX_BACKLOG, 10_000, minimum=1))
        self.provider_rps = number(env.ARDEA_ONLINE_SCORING_PROVIDER_RPS, 50.0)
        self.lease_seconds = number(env.ARDEA_ONLINE_SCORING_LEASE_SECONDS, 120.0, minimum=1.0)


class ProviderRateLimiter:
    """At most ``rate`` calls a second per provider, spaced evenly (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}

    async def acquire(self, provider: str) -> None:
        """Wait for the provider's next slot (single event loop: no lock needed)."""
        if not self._interval:
            return
        now = time.monotonic()
        slot = max(now, self._next.get(provider, now))
        self._next[provider] = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


def provider_of(scorer: Any) -> str:
    """The provider part of a judge's model URI (``openai`` of ``openai:/gpt-4.1``)."""
    model = str(getattr(scorer, "model", "") or "")
    return model.split(":", 1)[0] if ":" in model else (model or "default")


class OnlineScoring:
    """The ingest hook and the scorer loop of one app (see the module docstring).

    Args:
        backend: The app's backend (its ``online_scoring`` store claims every workspace's
            rows; a row's trace is read through the backend of its workspace).
        settings: The loop's settings (from the environment when omitted).
        spec: Run the loop in a scorer process that opens the store this way
            (:mod:`ardea.server.online_process`); None runs it in this process.
    """

    def __init__(
        self,
        backend: Backend,
        settings: OnlineSettings | None = None,
        spec: LoopSpec | None = None,
    ) -> None:
        self.backend = backend
        self.settings = settings or OnlineSettings()
        self.child = LoopProcess(spec) if spec is not None else None
        self.worker_id = f"server:{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop_listening: Callable[[], None] | None = None
        self._limiter = ProviderRateLimiter(self.settings.provider_rps)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_flight: dict[Any, ClaimedWork] = {}
        self._backlog = 0
        self._backlog_at = -math.inf
        self._cache: ScorerCache | None = None
        self._completions = Completions(backend.online_scoring, self.worker_id)
        self._backlog_lock = threading.Lock()
        self.scored = 0
        self.failed = 0

    # ---------------------------------------------------------------- status

    def wake(self) -> None:
        """Wake the loop (from any thread) to claim new rows now."""
        if self.child is not None:
            self.child.wake()
            return
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(event.set)

    def backlog(self) -> int:
        """Unfinished rows of every workspace (counted at most every 2 seconds)."""
        now = time.monotonic()
        if now - self._backlog_at >= BACKLOG_REFRESH_S:
            with self._backlog_lock:
                if now - self._backlog_at >= BACKLOG_REFRESH_S:
                    try:
                        self._backlog = self.backend.online_scoring.backlog()
                    except ArdeaError:
                        self._backlog = 0
                    self._backlog_at = now
        return self._backlog

    def _factor(self) -> float:
        return degrade_factor(self.backlog(), self.settings.max_backlog)

    @property
    def degrade_factor(self) -> float:
        """The factor configured sample rates are scaled by now (1.0: not degraded)."""
        return self._factor()

    def status(self) -> dict[str, Any]:
        """What ``GET /api/3.0/ardea/online-scoring/status`` shows of this process."""
        return {
            "enabled": self.settings.enabled,
            "running": self._running(),
            "process": self.child.pid if self.child is not None else os.getpid(),
            "worker_id": self.worker_id,
            "backlog": self.backlog(),
            "max_backlog": self.settings.max_backlog,
            "degrade_factor": self.degrade_factor,
            "degraded": self.degrade_factor < 1.0,
            "in_flight": len(self._in_flight),
            "scored": self.scored,
            "failed": self.failed,
        }

    # ---------------------------------------------------------------- the loop

    def start(self) -> None:
        """Start the loop on the running event loop (nothing when disabled or not SQL)."""
        if not self.settings.enabled or self.backend.remote or self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stop_listening = self.backend.online_scoring.listen(self.wake)
        if self.child is not None:  # the loop runs there: here, start it when there is work
            self._task = asyncio.create_task(self._watch(), name="ardea-online-scoring-watch")
            return
        self._task = asyncio.create_task(self._run_loop(), name="ardea-online-scoring")

    def _running(self) -> bool:
        if self.child is not None:
            return self.child.alive
        return self._task is not None and not self._task.done()

    async def _watch(self) -> None:
        """Start the scorer process when rows wait (stored elsewhere, or before a restart)."""
        assert self.child is not None
        while True:
            if not self.child.alive:
                try:
                    if await asyncio.to_thread(self.backlog) > 0:
                        await asyncio.to_thread(self.child.ensure_started)
                except Exception:
                    log.exception("Online scoring: checking for work failed")
            await asyncio.sleep(WATCH_SECONDS)

    async def stop(self) -> None:
        """Stop the loop and give back the rows it holds (they are claimable at once)."""
        task, self._task = self._task, None
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.child is not None:  # it gives back the rows it holds, then exits
            await asyncio.to_thread(self.child.stop)
            return
        held = list(self._in_flight.values())
        self._in_flight.clear()
        for work in held:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(
                    self.backend.online_scoring.fail,
                    work.key,
                    self.worker_id,
                    "The server stopped while scoring",
                    retry_in=0,
                )

    async def _run_loop(self) -> None:
        assert self._wake is not None
        running: set[asyncio.Task[None]] = set()
        while True:
            free = self.settings.concurrency - len(running)
            claimed: list[ClaimedWork] = []
            if free > 0:
                try:
                    claimed = await asyncio.to_thread(
                        self.backend.online_scoring.claim,
                        self.worker_id,
                        kinds=[KIND_JUDGE],
                        limit=free,
                        lease_seconds=self.settings.lease_seconds,
                        all_workspaces=True,
                    )
                except Exception:
                    log.exception("Online scoring: claiming work failed")
            for work in claimed:
                self._in_flight[work.key] = work
                task = asyncio.create_task(self._score(work))
                running.add(task)
                task.add_done_callback(running.discard)
            if claimed and len(running) < self.settings.concurrency:
                continue  # more may be waiting
            self._wake.clear()
            waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wake.wait())]
            waits += list(running)
            await asyncio.wait(
                waits, timeout=self.settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            waits[0].cancel()

    def _backend_for(self, workspace: str) -> Backend:
        if workspace == self.backend.workspace:
            return self.backend
        return self.backend.scoped(workspace)

    async def _score(self, work: ClaimedWork) -> None:
        from ardea.evaluation.online import NotReady, WorkFailed, score_work

        try:
            try:
                scorer = self._scorers().get(
                    work.key.scorer_id, work.key.scorer_version, work.name, work.serialized_scorer
                )
                trace = await asyncio.to_thread(
                    self._backend_for(work.workspace).traces.get_trace, work.key.trace_id
                )
            except ArdeaError as exc:  # no such trace, a scorer that cannot be rebuilt
                await self._fail(work, str(exc), None)
                return
            await self._limiter.acquire(provider_of(scorer))
            try:
                if scorer.session_level:
                    feedbacks = await self._score_session(work, scorer, trace)
                else:
                    feedbacks = await score_work(scorer, trace)
            except NotReady as exc:
                await self._fail(work, str(exc), 1.0)
                return
            except WorkFailed as exc:
                await self._fail(work, str(exc), 2.0**work.attempts)
                return
            if await self._completions.complete(work.key, feedbacks):
                self.scored += 1
        except Exception:
            log.exception("Online scoring of %s failed", work.key)
        finally:
            self._in_flight.pop(work.key, None)

    async def _score_session(self, work: ClaimedWork, scorer: Any, first: Any) -> Any:
        from ardea.evaluation.online import WorkFailed, score_session
        from ardea.services.online_scoring import session_traces

        session_id = first.info.session_id
        if not session_id:
            raise WorkFailed(f"Trace {work.key.trace_id} belongs to no session")
        traces = await asyncio.to_thread(
            session_traces, self._backend_for(work.workspace), work.experiment_id, session_id
        )
        return await score_session(scorer, traces)

    async def _fail(self, work: ClaimedWork, error: str, retry_in: float | None) -> None:
        self.failed += 1
        await asyncio.to_thread(
            self.backend.online_scoring.fail, work.key, self.worker_id, error, retry_in=retry_in
        )

    def _scorers(self) -> ScorerCache:
        if self._cache is None:
            from ardea.evaluation.online import ScorerCache

            self._cache = ScorerCache(allow_code=False)
        return self._cache
