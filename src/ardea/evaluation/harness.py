"""The evaluation engine: predictions and scorers of many rows at once, on one event loop.

Each row is a task: ``predict_fn`` (traced: one trace per row), then every scorer of the row
at the same time. One knob bounds the work: at most ``max_concurrency`` predictions and
scorer calls are in flight together (a semaphore), and at most that many rows are open. LLM
judges await their calls (``ardea.llm``'s per-provider limiter decides the actual rate, and
slows down on 429s); sync ``predict_fn`` and code scorers run in a thread pool of the same
size. With a sync ``predict_fn``, a row's sync code scorers run in the same thread job right
after the prediction (one hand-off to the pool per row, not one per scorer; the row's judges
start when they are done). Nothing a row does can fail the evaluation: a ``predict_fn`` that
raises leaves its error on the row's trace (state ERROR) and on each scorer's feedback, a
scorer that raises gives an error feedback (:func:`~ardea.evaluation.scorers.arun_scorer`).

Session-level scorers (:mod:`ardea.evaluation.sessions`) run once every row is done: rows are
grouped by session, each session's traces are read (in time order), and each session scorer
is called once per session with ``session=`` those traces (and the first turn's
expectations). Rows of one session that ``predict_fn`` still has to run are run one after
the other, in data order (a conversation's turns), sessions and other rows concurrently. A
session whose traces cannot be read, or one of whose turns failed to predict, gets an error
feedback from each session scorer; the other sessions are scored.

Ctrl-C cancels the open rows at once (judge calls are aborted; a sync ``predict_fn`` already
running in a thread is abandoned) and :meth:`Harness.run` re-raises ``KeyboardInterrupt``
after marking which rows finished, so ``evaluate`` logs those.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import sys
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ardea.entities import Feedback
from ardea.evaluation.cache import JudgeCache
from ardea.evaluation.cache_batch import CacheBatcher
from ardea.evaluation.progress import EvalProgress
from ardea.evaluation.rows import SESSION_METADATA, EvalItem
from ardea.evaluation.scorers import Scorer, arun_scorer, run_scorer
from ardea.evaluation.scorers.base import DecoratorScorer
from ardea.evaluation.scorers.run import error_feedback
from ardea.evaluation.sessions import EvalSession, group_sessions, request_time
from ardea.evaluation.stats.pairing import inputs_digest

__all__ = ["EVAL_REQUEST_ID_TAG", "Harness", "needs_trace"]

EVAL_REQUEST_ID_TAG = "mlflow.eval.requestId"
"""Trace tag MLflow's evaluate sets on each row's trace (a fresh UUID per row)."""

RECORD_ID_TAG = "ardea.eval.datasetRecordId"
INPUTS_DIGEST_TAG = "ardea.eval.inputsDigest"
"""Trace tag: SHA-256 of the row's full inputs, so that two evaluations pair rows exactly
(a trace's request preview is cut at 1,000 characters)."""
"""Trace tag: the dataset record a row came from (pairs rows in ``compare_evaluations``)."""

ROOT_SPAN_NAME = "root_span"
"""Name of the trace made for a row that has outputs but no trace (as MLflow)."""

_TRACE_NEEDS = frozenset({"trace", "context", "tool_calls", "reference", "conversation"})


def needs_trace(scorer: Scorer) -> bool:
    """Whether ``scorer`` reads the row's trace (then it is fetched before scoring)."""
    if not scorer.is_judge:
        return "trace" in scorer.parameters
    variables = getattr(scorer, "variables", None)
    if variables is not None:
        return "trace" in variables
    needs = getattr(scorer, "needs", None)
    if needs is not None:
        return bool(_TRACE_NEEDS.intersection(needs))
    return True


def runs_in_thread(scorer: Scorer) -> bool:
    """Whether ``scorer`` is plain sync code (no LLM, no coroutine): it runs in a thread."""
    if scorer.calls_llm or scorer.is_judge or scorer.session_level:
        return False
    if isinstance(scorer, DecoratorScorer):
        return type(scorer).arun is DecoratorScorer.arun and not inspect.iscoroutinefunction(
            scorer.func
        )
    return type(scorer).arun is Scorer.arun and not inspect.iscoroutinefunction(scorer.__call__)


async def _close_http() -> None:
    """Close the judges' connections of this event loop (it ends with the evaluation)."""
    if "ardea.llm.transport" in sys.modules:  # no judge called: nothing to close
        from ardea.llm.transport import close_lean_pools

        await close_lean_pools()


def _unwrap_traced(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function under Ardea's ``@trace`` (evaluate opens the row's root span itself)."""
    code = getattr(fn, "__code__", None)
    wrapped = getattr(fn, "__wrapped__", None)
    if wrapped is not None and code is not None and "ardea/tracing/" in code.co_filename:
        return wrapped  # type: ignore[no-any-return]
    return fn


class Harness:
    """Runs ``predict_fn`` and ``scorers`` over ``items`` (see the module docstring).

    Args:
        items: The rows (results are written into them).
        scorers: The scorers.
        predict_fn: The app, called with ``**inputs`` (sync or async); None to score as is.
        run_id: The evaluation run (trace metadata ``mlflow.sourceRun``).
        experiment_id: Where the rows' traces go.
        max_concurrency: Predictions and scorer calls in flight at most.
        cache: The judge cache (None: off).
        fetch_trace: Reads a trace back by id (for scorers that need it).
        progress: The progress display.
        trace_metadata: Metadata set on every row's trace (e.g. ``mlflow.modelId``).
        on_row_done: Called with each row once it is scored (e.g. to log it at once).
        before_first_call: Called with an LLM scorer before its first run that the judge
            cache does not answer (e.g. to raise its provider's limits).
    """

    def __init__(
        self,
        items: Sequence[EvalItem],
        scorers: Sequence[Scorer],
        predict_fn: Callable[..., Any] | None,
        *,
        run_id: str,
        experiment_id: str,
        max_concurrency: int,
        cache: JudgeCache | None,
        fetch_trace: Callable[[str], Any],
        progress: EvalProgress,
        trace_metadata: dict[str, str] | None = None,
        on_row_done: Callable[[EvalItem], object] | None = None,
        before_first_call: Callable[[Scorer], object] | None = None,
    ) -> None:
        self.items = items
        self.scorers = [s for s in scorers if not s.session_level]
        self.session_scorers = [s for s in scorers if s.session_level]
        self.sessions: list[EvalSession] = []
        self.predict_fn = predict_fn
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.max_concurrency = max_concurrency
        self.cache = cache
        self.fetch_trace = fetch_trace
        self.progress = progress
        self.trace_metadata = dict(trace_metadata or {})
        self.on_row_done = on_row_done
        self.before_first_call = before_first_call
        self._called: set[str] = set()
        self.cache_hits = 0
        self._needs_trace = bool(self.session_scorers) or any(needs_trace(s) for s in self.scorers)
        self._target = _unwrap_traced(predict_fn) if predict_fn is not None else None
        self._is_async = self._target is not None and inspect.iscoroutinefunction(self._target)
        self._name = getattr(predict_fn, "__name__", None) or type(predict_fn).__name__
        # With a sync predict_fn, a row's sync code scorers run in the prediction's thread job.
        self._with_predict = (
            [s for s in self.scorers if runs_in_thread(s)]
            if self._target is not None and not self._is_async
            else []
        )
        self._sem: asyncio.Semaphore | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._cache: CacheBatcher | None = None

    # ------------------------------------------------------------------ running

    def run(self) -> None:
        """Run every row; returns when all are done, raises ``KeyboardInterrupt`` on Ctrl-C."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            runner_class = getattr(asyncio, "Runner", None)  # 3.11+: Ctrl-C cancels _main
            if runner_class is None:
                asyncio.run(self._main())
                return
            with runner_class() as runner:
                runner.run(self._main())
            return
        # Called from inside an event loop (a notebook): run ours in a thread.
        box: dict[str, BaseException] = {}

        def work() -> None:
            try:
                asyncio.run(self._main())
            except BaseException as exc:
                box["error"] = exc

        # The caller's context variables (the active run, candidate prompt templates) go along.
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(work,), name="ardea-evaluate",
                                  daemon=True)  # fmt: skip
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]

    async def _main(self) -> None:
        self._sem = asyncio.Semaphore(self.max_concurrency)
        self._cache = CacheBatcher(self.cache) if self.cache is not None else None
        self._executor = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="ardea-eval")
        loop = asyncio.get_running_loop()
        loop.set_default_executor(self._executor)
        queue: asyncio.Queue[list[EvalItem]] = asyncio.Queue()
        units = self._units()
        for unit in units:
            queue.put_nowait(unit)
        workers = [
            asyncio.create_task(self._worker(queue))
            for _ in range(min(self.max_concurrency, len(units)))
        ]
        try:
            await asyncio.gather(*workers)
            if self.session_scorers:
                await self._read_unread_traces()
                self.sessions = group_sessions(self.items)
                self.progress.add_sessions(len(self.sessions))
                workers = [asyncio.create_task(self._session(s)) for s in self.sessions]
                await asyncio.gather(*workers)
        except BaseException:
            for w in workers:
                w.cancel()
            await asyncio.wait(workers, timeout=1.0)
            raise
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)
            if self._cache is not None:
                self._cache.flush()  # judgements made before a Ctrl-C are kept too
            await _close_http()

    def _units(self) -> list[list[EvalItem]]:
        """The rows as units of work: the untraced rows of one session together, in order."""
        units: list[list[EvalItem]] = []
        by_session: dict[str, list[EvalItem]] = {}
        for item in self.items:
            if item.session_id is not None and item.trace is None and item.trace_id is None:
                unit = by_session.get(item.session_id)
                if unit is None:
                    unit = by_session[item.session_id] = []
                    units.append(unit)
                unit.append(item)
            else:
                units.append([item])
        return units

    async def _worker(self, queue: asyncio.Queue[list[EvalItem]]) -> None:
        while True:
            try:
                unit = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            for item in unit:
                await self._row(item)

    async def _row(self, item: EvalItem) -> None:
        done: dict[int, list[Feedback]] = {}
        if self._target is not None:
            done = await self._predict(item)
        elif item.trace_id is None:
            await self._in_thread(self._static_trace, item)
        if item.error is not None:
            message = f"predict_fn failed on this row: {item.error}"
            item.feedbacks = [error_feedback(s, message, "PREDICTION_FAILED") for s in self.scorers]
        else:
            # (a row whose sync code scorers ran with its prediction had its trace read there)
            needs = self._needs_trace and not done
            if needs and item.trace is None and item.trace_id is not None:
                try:
                    item.trace = await self._in_thread(self.fetch_trace, item.trace_id)
                except Exception:  # scorers then see no trace and say what they miss
                    item.trace = None
            if done:
                rest = [s for s in self.scorers if id(s) not in done]
                results = await self._score_row(rest, item)
                done.update(zip((id(s) for s in rest), results, strict=True))
                item.feedbacks = [f for s in self.scorers for f in done[id(s)]]
            else:
                results = await self._score_row(self.scorers, item)
                item.feedbacks = [f for group in results for f in group]
        item.done = True
        if self.on_row_done is not None:
            self.on_row_done(item)
        errors = sum(1 for f in item.feedbacks if f.error is not None)
        self.progress.row_done(errors + (1 if item.error else 0))

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        return await loop.run_in_executor(self._executor, ctx.run, fn, *args)

    # ------------------------------------------------------------------ predicting

    def _mark(self, span: Any, item: EvalItem) -> None:
        """Put the row's trace in the run's experiment, with MLflow's eval request id."""
        from ardea.tracing.context import current_meta, registry

        item.trace_id = span.trace_id
        item.root_span_id = span.span_id
        meta = current_meta()
        if meta is None:
            return
        with registry.lock:
            meta.experiment_id = self.experiment_id
            meta.run_id = self.run_id
            meta.tags[EVAL_REQUEST_ID_TAG] = str(uuid.uuid4())
            meta.tags.update(item.tags)
            if item.record_id is not None:
                meta.tags[RECORD_ID_TAG] = item.record_id
            meta.tags[INPUTS_DIGEST_TAG] = inputs_digest(item.inputs)
            meta.metadata.update(self.trace_metadata)
            if item.session_id is not None:
                meta.session_id = item.session_id
                meta.metadata[SESSION_METADATA] = item.session_id

    def _static_trace(self, item: EvalItem) -> None:
        """A one-span trace holding the row's inputs and outputs (MLflow's minimal trace)."""
        from ardea.tracing import start_span

        with start_span(ROOT_SPAN_NAME, span_type="CHAIN", inputs=item.inputs) as span:
            self._mark(span, item)
            span.set_outputs(item.outputs)

    def _predict_sync(self, item: EvalItem) -> None:
        from ardea.tracing import start_span

        assert self._target is not None
        try:
            with start_span(self._name, span_type="UNKNOWN", inputs=item.inputs) as span:
                self._mark(span, item)
                item.outputs = self._target(**item.inputs)
                span.set_outputs(item.outputs)
        except Exception as exc:
            item.error = f"{type(exc).__name__}: {exc}"

    async def _predict_async(self, item: EvalItem) -> None:
        from ardea.tracing import start_span

        assert self._target is not None
        try:
            with start_span(self._name, span_type="UNKNOWN", inputs=item.inputs) as span:
                self._mark(span, item)
                item.outputs = await self._target(**item.inputs)
                span.set_outputs(item.outputs)
        except Exception as exc:
            item.error = f"{type(exc).__name__}: {exc}"

    def _predict_and_score(self, item: EvalItem) -> dict[int, list[Feedback]]:
        """In one thread job: the prediction, the trace read, then the sync code scorers."""
        self._predict_sync(item)
        if item.error is not None:
            return {}
        if self._needs_trace and item.trace is None and item.trace_id is not None:
            try:
                item.trace = self.fetch_trace(item.trace_id)
            except Exception:  # scorers then see no trace and say what they miss
                item.trace = None
        kwargs = {
            "inputs": item.inputs,
            "outputs": item.outputs,
            "expectations": item.expectations or None,
            "trace": item.trace,
        }
        return {id(s): run_scorer(s, **kwargs) for s in self._with_predict}

    async def _predict(self, item: EvalItem) -> dict[int, list[Feedback]]:
        """Run ``predict_fn`` on the row; the feedbacks of scorers run with it, by scorer id."""
        if not isinstance(item.inputs, dict):
            item.error = (
                f"inputs must be a dict of predict_fn's arguments, got {type(item.inputs).__name__}"
            )
            await self._in_thread(self._static_trace, item)
            return {}
        assert self._sem is not None
        async with self._sem:
            if self._is_async:
                await self._predict_async(item)
                return {}
            if self._with_predict:
                result: dict[int, list[Feedback]] = await self._in_thread(
                    self._predict_and_score, item
                )
                return result
            await self._in_thread(self._predict_sync, item)
            return {}

    # ------------------------------------------------------------------ scoring

    async def _score_row(self, scorers: Sequence[Scorer], item: EvalItem) -> list[list[Feedback]]:
        """The feedbacks of each of ``scorers`` on the row, in order.

        With the judge cache, the row's judges are looked up together (one wait) and only the
        scorers left to run become tasks: a fully cached row makes none.
        """
        kwargs = {
            "inputs": item.inputs,
            "outputs": item.outputs,
            "expectations": item.expectations or None,
            "trace": item.trace,
        }
        results: list[list[Feedback] | None] = [None] * len(scorers)
        keys: dict[int, str] = {}
        if self._cache is not None:
            for i, scorer in enumerate(scorers):
                key = self._cache_key(scorer, kwargs)
                if key is not None:
                    keys[i] = key
            if keys:
                hits = await self._cache.get_many(list(keys.values()))
                for i, hit in zip(keys, hits, strict=True):
                    if hit is not None:
                        self.cache_hits += 1
                        results[i] = hit
        todo = [i for i, r in enumerate(results) if r is None]
        runs = [self._cached(scorers[i], kwargs, keys.get(i), looked_up=True) for i in todo]
        if runs:  # tasks (gather): each scorer runs in its own copy of the context
            for i, got in zip(todo, await asyncio.gather(*runs), strict=True):
                results[i] = got
        return [r if r is not None else [] for r in results]

    def _cache_key(self, scorer: Scorer, kwargs: dict[str, Any]) -> str | None:
        """The judge cache's key for ``scorer`` on ``kwargs`` (None: not cached)."""
        if self.cache is None or not scorer.calls_llm:
            return None
        try:
            return scorer.cache_key(**kwargs)
        except Exception:
            return None

    async def _cached(
        self,
        scorer: Scorer,
        kwargs: dict[str, Any],
        key: str | None = None,
        *,
        looked_up: bool = False,
    ) -> list[Feedback]:
        """Run ``scorer`` with ``kwargs``, through the judge cache when it calls an LLM.

        ``looked_up``: ``key`` (None: not cached) was already looked up and missed.
        """
        if not looked_up:
            key = self._cache_key(scorer, kwargs)
            if key is not None:
                assert self._cache is not None
                hit = await self._cache.get(key)
                if hit is not None:
                    self.cache_hits += 1
                    return hit
        if scorer.calls_llm and scorer.name not in self._called:
            self._called.add(scorer.name)
            if self.before_first_call is not None:
                self.before_first_call(scorer)
        assert self._sem is not None
        async with self._sem:
            feedbacks = await arun_scorer(scorer, **kwargs)
        if key is not None:
            assert self._cache is not None
            self._cache.put(key, feedbacks)
        return feedbacks

    # ------------------------------------------------------------------ sessions

    async def _read_unread_traces(self) -> None:
        """Try again to read the traces a row could not read (their session is in them)."""
        unread = [
            i
            for i in self.items
            if i.done and i.error is None and i.trace is None and i.trace_id is not None
        ]

        async def read(item: EvalItem) -> None:
            assert self._sem is not None
            async with self._sem:
                try:
                    item.trace = await self._in_thread(self.fetch_trace, item.trace_id)
                except Exception:  # its session, if known, reports it (TRACE_NOT_FOUND)
                    item.trace = None

        await asyncio.gather(*(read(i) for i in unread))

    async def _session_traces(self, session: EvalSession) -> str | None:
        """Read the session's traces into its rows; why some could not be, or None."""
        missing: list[str] = []
        for item in session.items:
            if item.trace is None and item.trace_id is not None:
                try:
                    item.trace = await self._in_thread(self.fetch_trace, item.trace_id)
                except Exception as exc:
                    missing.append(f"{item.trace_id} ({type(exc).__name__}: {exc})")
                    continue
            if item.trace is None:
                missing.append(item.trace_id or f"row {item.index} (no trace)")
        if missing:
            return (
                f"session {session.session_id!r}: {len(missing)} of its {len(session.items)} "
                f"traces could not be read: {', '.join(missing[:5])}"
            )
        return None

    async def _session(self, session: EvalSession) -> None:
        """Score one session with every session-level scorer (errors stay on the session)."""
        failed = [i for i in session.items if i.error is not None]
        code = "PREDICTION_FAILED"
        if failed:
            session.error = (
                f"predict_fn failed on {len(failed)} turn(s) of session "
                f"{session.session_id!r}: {failed[0].error}"
            )
        else:
            session.error = await self._session_traces(session)
            code = "TRACE_NOT_FOUND"
        ordered = sorted(  # the first turn that has a trace anchors the session
            session.items,
            key=lambda i: (
                i.trace is None,
                request_time(i.trace) if i.trace is not None else 0,
                i.index,
            ),
        )
        session.anchor = ordered[0]
        if session.error is not None:
            errors = [error_feedback(s, session.error, code) for s in self.session_scorers]
            session.feedbacks = session.tag(errors)
        else:
            session.traces = [i.trace for i in ordered]
            kwargs = {
                "session": session.traces,
                "expectations": session.anchor.expectations or None,
            }
            results = await asyncio.gather(*(self._cached(s, kwargs) for s in self.session_scorers))
            session.feedbacks = session.tag(f for group in results for f in group)
        session.done = True
        self.progress.session_done(sum(1 for f in session.feedbacks if f.error is not None))
