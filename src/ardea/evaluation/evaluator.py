"""``ardea.evaluate``: run an app over data, score every row, log it all as MLflow does.

See docs/evaluation.md. Argument-compatible with ``mlflow.genai.evaluate(data, scorers,
predict_fn=None, model_id=None)``; the results land in the tracking store exactly as MLflow's
(:mod:`ardea.evaluation.record`), so MLflow's UI and client read them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Trace
from ardea.evaluation import quality, record
from ardea.evaluation.cache import JudgeCache, open_cache
from ardea.evaluation.harness import Harness
from ardea.evaluation.progress import EvalProgress
from ardea.evaluation.result import EvaluationResult, EvaluationSummary
from ardea.evaluation.row_logger import RowLogger
from ardea.evaluation.rows import EvalItem, to_items
from ardea.evaluation.scorers import Scorer

__all__ = ["DEFAULT_MAX_CONCURRENCY", "MAX_CONCURRENCY_ENV", "evaluate"]

MAX_CONCURRENCY_ENV = "ARDEA_EVAL_MAX_CONCURRENCY"
"""Environment variable: the default of ``evaluate(max_concurrency=...)``."""

DEFAULT_MAX_CONCURRENCY = 128
"""Predictions and scorer calls in flight at most, by default: twice ``ardea.llm``'s default
per-provider limit (64), so that the provider's adaptive limiter, not ``evaluate``, bounds
the judges' rate."""

_LINK_BATCH = 100
_log = logging.getLogger(__name__)


def _scorers(scorers: Sequence[Any] | None) -> list[Scorer]:
    out: list[Scorer] = []
    for s in scorers or []:
        if isinstance(s, Scorer):
            out.append(s)
        elif callable(getattr(s, "model_dump", None)):  # an mlflow.genai scorer
            out.append(Scorer.from_json(s.model_dump()))
        else:
            raise InvalidArgumentError(
                f"scorers must be Scorer objects (built-ins, @scorer or make_judge), "
                f"got {type(s).__name__}"
            )
    names = [s.name for s in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidArgumentError(f"two scorers have the same name: {dupes}")
    return out


def _set_criteria_tag(client: Any, run_id: str, tag: str | None) -> None:
    """Set the quality criteria tag, or drop a stale one of an earlier evaluate on the run."""
    from ardea.entities.run import RunTag

    if tag is not None:
        client.log_batch(run_id, tags=[RunTag(quality.QUALITY_CRITERIA_TAG, tag)])
    elif quality.QUALITY_CRITERIA_TAG in client.get_run(run_id).data.tags:
        client.delete_tag(run_id, quality.QUALITY_CRITERIA_TAG)


def _concurrency(value: int | None) -> tuple[int, bool]:
    """The knob's value, and whether the user set it (then it also raises LLM limits)."""
    if value is None:
        raw = os.environ.get(MAX_CONCURRENCY_ENV, "").strip()
        if not raw:
            return DEFAULT_MAX_CONCURRENCY, False
        try:
            value = int(raw)
        except ValueError:
            raise InvalidArgumentError(
                f"{MAX_CONCURRENCY_ENV} must be a whole number, got {raw!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"max_concurrency must be a positive integer, got {value!r}")
    return value, True


def _raise_llm_limits(scorers: Sequence[Scorer], limit: int) -> None:
    """Let the judges' providers take ``limit`` calls at once (never lowers a limit).

    Called by the harness before a judge's first call that the cache does not answer, so a
    fully cached run never builds an LLM client.
    """
    for s in scorers:
        get_client = getattr(s, "client", None)
        if not s.calls_llm or not callable(get_client):
            continue
        try:
            limiter = get_client().limiter
        except Exception:  # no credentials yet: the judge says so on each row
            continue
        if limiter.max_concurrency < limit:
            grow = limiter.limit >= limiter.max_concurrency  # not backing off from a 429
            limiter.max_concurrency = limit
            if grow:
                limiter._limit = float(limit)


def _link(client: Any, items: Sequence[EvalItem], run_id: str) -> None:
    ids = [i.trace_id for i in items if i.done and i.trace_id]
    for start in range(0, len(ids), _LINK_BATCH):
        try:
            client.trace_store.link_traces_to_run(ids[start : start + _LINK_BATCH], run_id)
        except Exception as exc:
            _log.warning("could not link traces to run %s: %s", run_id, exc)


def evaluate(
    data: Any,
    scorers: Sequence[Any] | None = None,
    predict_fn: Callable[..., Any] | None = None,
    model_id: str | None = None,
    quality_criteria: str | None = None,
    *,
    max_concurrency: int | None = None,
    cache: bool | str | os.PathLike[str] | JudgeCache | None = None,
    run_name: str | None = None,
    show_progress: bool | None = None,
) -> EvaluationResult:
    """Run ``predict_fn`` over ``data``, score each row with ``scorers``, log it to a run.

    Args:
        data: A list of dicts (``inputs``, ``outputs``, ``expectations``, ``tags``,
            ``trace``), a pandas DataFrame with those columns, a list of traces or a
            ``search_traces`` DataFrame (scores then attach to those traces), or an evaluation
            dataset (``ardea.evaluation.datasets``: read at its current version, pinned on the
            run; or ``mlflow.genai.datasets``); simulated conversations (a
            ``SimulationResult`` or a list of ``Conversation``); or a ``ConversationSimulator``,
            run with ``predict_fn`` first (as MLflow).
        scorers: Built-in scorers, ``@scorer`` functions, ``make_judge`` judges.
        predict_fn: The app, called with ``**inputs`` once per row, sync or async; each call
            is traced (one trace per row). None: rows are scored as given.
        model_id: A logged model to link the run and traces to (``mlflow.modelId``).
        quality_criteria: The bar the evaluation must clear, e.g. ``"correctness >= 0.9 AND
            `latency/p90` <= 2"`` (MLflow 3.18's grammar; :mod:`ardea.evaluation.quality`):
            checked before anything runs, written to the run tag MLflow's UI reads, each
            criterion's outcome on ``result.quality_criteria``.
        max_concurrency: Predictions and scorer calls in flight at most (default
            ``ARDEA_EVAL_MAX_CONCURRENCY``, else 128). Set explicitly, it also raises the
            judges' provider limits (``ardea.llm``) to it.
        cache: The judge cache: None/True = ``ARDEA_EVAL_CACHE`` (on by default), False =
            off, or a file path.
        run_name: Name of the run, when one is started (the active run is reused otherwise).
        show_progress: Force the progress bar on or off (default: ``ARDEA_PROGRESS`` / a
            terminal).

    Returns:
        An :class:`~ardea.evaluation.result.EvaluationResult`.

    Raises:
        InvalidArgumentError: Bad data or scorers (before anything is logged).
        KeyboardInterrupt: Ctrl-C; the rows that finished were logged first (run KILLED).

    Example::

        result = ardea.evaluate(
            data=[{"inputs": {"q": "2+2?"}, "expectations": {"expected_response": "4"}}],
            predict_fn=lambda q: "4",
            scorers=[ExactMatch()],
        )
        print(result.metrics["exact_match/mean"], result.summary())
    """
    from ardea import fluent
    from ardea.tracing import flush

    checked = _scorers(scorers)
    rules = quality.parse([s.name for s in checked], quality_criteria)
    criteria_tag = quality.build_tag(rules)
    limit, explicit = _concurrency(max_concurrency)
    if predict_fn is not None and not callable(predict_fn):
        raise InvalidArgumentError("predict_fn must be callable")
    if callable(getattr(data, "simulate", None)) and hasattr(data, "test_cases"):
        data = data.simulate(predict_fn)  # a ConversationSimulator, as mlflow.genai.evaluate
        predict_fn = None
    items, managed = to_items(data)
    if predict_fn is not None and any(i.trace is not None for i in items):
        raise InvalidArgumentError(
            "data holds traces: they are scored as they are, so predict_fn must not be given"
        )
    judge_cache = open_cache(cache) if any(s.calls_llm for s in checked) else None

    client = fluent.get_client()
    active = fluent.active_run()
    run = active if active is not None else fluent.start_run(run_name=run_name)
    status = "FAILED"
    try:
        run_id, experiment_id = run.info.run_id, run.info.experiment_id
        if managed is not None and callable(getattr(managed.source, "pin", None)):
            managed.source.pin(run_id)
        else:
            client.log_inputs(
                run_id, [record.dataset_input(items, managed)], [model_id] if model_id else None
            )
        client.log_batch(run_id, tags=record.lineage_tags(predict_fn, checked))
        _set_criteria_tag(client, run_id, criteria_tag)

        def fetch_trace(trace_id: str) -> Trace:
            flush()
            return client.trace_store.get_trace(trace_id)

        progress = EvalProgress(len(items), show_progress)
        row_logger = RowLogger(client, run_id, flush, workers=min(16, limit))
        harness = Harness(
            items,
            checked,
            predict_fn,
            run_id=run_id,
            experiment_id=experiment_id,
            max_concurrency=limit,
            cache=judge_cache,
            fetch_trace=fetch_trace,
            progress=progress,
            trace_metadata={"mlflow.modelId": model_id} if model_id else {},
            on_row_done=row_logger.submit,
            before_first_call=(lambda s: _raise_llm_limits([s], limit)) if explicit else None,
        )
        interrupted = False
        try:
            with progress:
                harness.run()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            row_logger.close()
        log_errors = row_logger.errors
        sessions = harness.sessions
        if sessions:
            flush()
            _, session_errors = record.log_session_assessments(
                client, sessions, run_id, min(16, limit)
            )
            log_errors += session_errors
        elif any(s.session_level for s in checked) and not interrupted:
            _log.warning(
                "no row belongs to a session (mlflow.trace.session), so the session-level "
                "scorers %s scored nothing",
                [s.name for s in checked if s.session_level],
            )
        _link(client, items, run_id)
        values = record.scorer_values(items)
        values.update(record.scorer_values(sessions))
        metrics = record.aggregate(values, checked, quality.extra_aggregations(rules))
        found = record.summaries(values)
        metrics.update(record.interval_metrics(found))
        if metrics:
            record.log_metrics(client, run_id, metrics)
        quality.warn_unmeasured(rules, metrics)
        status = "KILLED" if interrupted else "FINISHED"
    finally:
        if active is None:
            fluent.end_run(status)
    if judge_cache is not None and not isinstance(cache, JudgeCache):
        judge_cache.close()
    result = EvaluationResult(
        run_id=run_id,
        metrics=metrics,
        rows=items,
        sessions=sessions,
        quality_criteria=quality.check(rules, metrics),
        interrupted=interrupted,
        llm_calls=progress.llm_calls,
        cache_hits=harness.cache_hits,
        tokens=progress.tokens,
        cost=progress.cost,
        log_errors=log_errors,
        _summary=EvaluationSummary(found),
    )
    if interrupted:
        done = sum(1 for i in items if i.done)
        print(
            f"ardea.evaluate interrupted: {done} of {len(items)} rows finished and were "
            f"logged to run {run_id}",
            file=sys.stderr,
        )
        raise KeyboardInterrupt
    return result
