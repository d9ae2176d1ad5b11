"""``optimize_prompts``: improve registered prompts against scorers, promote only real gains.

1. The prompts are loaded from the registry; the data is read like ``evaluate()``'s and split,
   seeded, into training and held-out rows (unless ``eval_data`` is given).
2. The starting prompts are scored on the training rows (candidate 0); the optimizer searches
   (GEPA, MetaPrompt) within the budget, scoring candidates on the training rows only.
3. The best candidate and the starting prompts are scored on the held-out rows, and a paired
   test on the per-row scores decides: the candidate is promoted only when its held-out mean
   is higher and the test is significant at ``alpha``
   (:func:`~ardea.evaluation.optimize.result.held_out_check`).
4. Promoted: a new version of each changed prompt is registered, with the lineage as tags.
   Not promoted: nothing is registered, and the result (and run) says why.

A budget stop or Ctrl-C keeps the best candidate so far. After a budget stop the held-out
check still runs; after Ctrl-C it does not (no more calls are made), nothing is registered,
and the result holds the best candidate with ``interrupted=True``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.evaluation.optimize.base import BasePromptOptimizer, Candidate, SearchTask
from ardea.evaluation.optimize.budget import Budget, BudgetMeter, BudgetStop
from ardea.evaluation.optimize.data import data_digest, read_rows, split_rows
from ardea.evaluation.optimize.lineage import log_run, version_tags
from ardea.evaluation.optimize.result import PromptOptimizationResult, held_out_check
from ardea.evaluation.optimize.scoring import Aggregation, ScoringContext
from ardea.evaluation.rows import EvalItem

__all__ = ["optimize_prompts"]


def _load(uris: Sequence[str]) -> list[Any]:
    from ardea import fluent

    if isinstance(uris, str) or not isinstance(uris, Sequence) or not uris:
        raise InvalidArgumentError("prompt_uris must be a non-empty list of prompt URIs")
    client = fluent.get_client()
    prompts = []
    for uri in uris:
        if not isinstance(uri, str):
            raise InvalidArgumentError(f"prompt_uris holds {uri!r}, not a prompt URI")
        try:
            prompts.append(client.load_prompt(uri, use_cache=False))
        except NotFoundError as exc:
            raise NotFoundError(f"prompt {uri!r} does not exist: {exc}") from None
    names = [p.name for p in prompts]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"prompt_uris names a prompt twice: {names}")
    return prompts


def _check_args(predict_fn: Any, scorers: Any, optimizer: Any, alpha: Any) -> None:
    if not callable(predict_fn):
        raise InvalidArgumentError("predict_fn must be callable")
    if not scorers:
        raise InvalidArgumentError(
            "optimize_prompts needs scorers: they define what a better prompt is"
        )
    if not isinstance(optimizer, BasePromptOptimizer):
        raise InvalidArgumentError(
            "optimizer must be a prompt optimizer object: GepaPromptOptimizer(reflection_model="
            f"...) or MetaPromptOptimizer(reflection_model=...), got {optimizer!r}"
        )
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
        raise InvalidArgumentError(f"alpha must be in (0, 1], got {alpha!r}")


@contextlib.contextmanager
def _run(enable_tracking: bool) -> Iterator[tuple[str, str]]:
    """A new run (id, experiment) to log to; ("", current experiment) untracked.

    The run is a child of the active run if there is one, so that two optimizations in one
    run never collide on params.
    """
    from ardea import fluent
    from ardea.fluent._runs import current_experiment_id

    if not enable_tracking:
        yield "", current_experiment_id()
        return
    nested = fluent.active_run() is not None
    run = fluent.start_run(run_name="optimize_prompts", nested=nested)
    status = "FAILED"
    try:
        yield run.info.run_id, run.info.experiment_id
        status = "FINISHED"
    except KeyboardInterrupt:
        status = "KILLED"
        raise
    finally:
        fluent.end_run(status)


def _search(task: SearchTask, optimizer: BasePromptOptimizer) -> tuple[str | None, bool]:
    """Run the optimizer; (why it stopped early, whether Ctrl-C stopped it)."""
    try:
        optimizer.optimize(task)
    except BudgetStop as stop:
        return str(stop), False
    except KeyboardInterrupt:
        return None, True
    return task.meter.exhausted(), False


def _decide(
    task: SearchTask, holdout: list[EvalItem], alpha: float, interrupted: bool
) -> tuple[bool, str, Any]:
    best, base = task.best(), task.candidates[0]
    if interrupted:
        return (
            False,
            (
                f"interrupted: the best of {len(task.candidates)} candidates so far (candidate "
                f"{best.index}, training score {best.score:.3f}) is kept in the result, unchecked "
                "and not registered"
            ),
            None,
        )
    if best is base:
        return (
            False,
            (
                f"rejected: no candidate scored above the starting prompts on the training rows "
                f"({base.score:.3f}; {len(task.candidates)} candidates)"
            ),
            None,
        )
    before = [r.score for r in task.context.score(task.templates(base.templates), holdout)]
    after = [r.score for r in task.context.score(task.templates(best.templates), holdout)]
    check = held_out_check(before, after, alpha)
    if check.significant:
        return True, f"promoted: {check}", check
    return False, f"rejected: the gain is not significant on the held-out rows ({check})", check


def optimize_prompts(
    *,
    predict_fn: Callable[..., Any],
    train_data: Any,
    prompt_uris: Sequence[str],
    optimizer: BasePromptOptimizer,
    scorers: Sequence[Any] | None = None,
    aggregation: Aggregation | None = None,
    enable_tracking: bool = True,
    eval_data: Any = None,
    budget: Budget | dict[str, Any] | None = None,
    holdout_fraction: float = 0.3,
    seed: int = 0,
    alpha: float = 0.05,
    max_concurrency: int | None = None,
    show_progress: bool | None = None,
) -> PromptOptimizationResult:
    """Optimize registered prompts; register the result only if it is significantly better.

    MLflow's ``mlflow.genai.optimize_prompts`` arguments mean the same here; the others are
    Ardea's (see docs/prompt-optimization.md for every difference).

    Args:
        predict_fn: The app, called with each row's ``**inputs``; it must render the prompts
            with ``ardea.load_prompt(...).format(...)`` for candidates to apply.
        train_data: Rows with ``inputs`` and ``expectations`` (or ``outputs``, taken as the
            expected response): a list of dicts, a DataFrame, an evaluation dataset.
        prompt_uris: The prompts to improve (``prompts:/name/1``, ``prompts:/name@alias``).
        optimizer: ``GepaPromptOptimizer(...)`` or ``MetaPromptOptimizer(...)``.
        scorers: What "better" means (built-ins, ``@scorer``, ``make_judge``); required.
        aggregation: Scorer values of a row to its score (default: their mean).
        enable_tracking: Log the lineage to a new run (nested under the active run, if any).
        eval_data: Held-out rows for the check (default: ``holdout_fraction`` of train_data).
        budget: ``Budget(max_llm_calls=, max_cost=, max_evaluations=)`` or a dict of those.
        holdout_fraction: Share of train_data held out when ``eval_data`` is not given.
        seed: Seed of that split.
        alpha: Largest p-value of the held-out paired test that counts as significant.
        max_concurrency: Predictions and scorer calls in flight (as ``evaluate()``).
        show_progress: Force the progress bar on or off (default: ``ARDEA_PROGRESS``).

    Returns:
        A :class:`~ardea.evaluation.optimize.result.PromptOptimizationResult`.

    Raises:
        NotFoundError: A prompt URI that does not exist.
        InvalidArgumentError: Empty data, no scorers, a bad optimizer or setting.
    """
    from ardea import fluent
    from ardea.evaluation.evaluator import _concurrency, _scorers
    from ardea.evaluation.progress import EvalProgress

    _check_args(predict_fn, scorers, optimizer, alpha)
    checked = _scorers(scorers)
    limit = Budget.of(budget)
    prompts = _load(prompt_uris)
    rows = read_rows(train_data, "train_data")
    if eval_data is not None:
        train, holdout = rows, read_rows(eval_data, "eval_data")
    else:
        train, holdout = split_rows(rows, holdout_fraction, seed)
    concurrency, _ = _concurrency(max_concurrency)
    data = {
        "digest": data_digest(rows),
        "train": len(train),
        "holdout": len(holdout),
        "holdout_source": "eval_data" if eval_data is not None else "split",
        "seed": seed,
    }
    if eval_data is not None:
        data["eval_digest"] = data_digest(holdout)
    chat = {p.name for p in prompts if not p.is_text_prompt}
    targets = {p.name: _text(p.template) for p in prompts}
    client = fluent.get_client()
    expected = optimizer.expected_evaluations(len(train)) or 0
    with _run(enable_tracking) as (run_id, experiment_id):
        total = len(train) + expected + 2 * len(holdout)
        progress = EvalProgress(total, show_progress, desc="optimize_prompts")
        with progress, BudgetMeter(limit) as meter:
            context = ScoringContext(checked, predict_fn, aggregation, run_id, experiment_id,
                                     concurrency, progress, _trace_reader(client))  # fmt: skip
            task = SearchTask(targets, chat, train, context, meter)
            try:
                task.evaluate(targets)
                stop_reason, interrupted = _search(task, optimizer)
                promoted, reason, check = _decide(task, holdout, alpha, interrupted)
            except KeyboardInterrupt:
                if not task.candidates:
                    raise
                stop_reason, interrupted = None, True
                promoted, reason, check = _decide(task, holdout, alpha, True)
        result = _result(optimizer, task, promoted, reason, check, stop_reason, interrupted,
                         run_id or None, data, meter)  # fmt: skip
        if promoted:
            result.optimized_prompts = _register(prompts, result)
        if run_id:
            params = {"optimizer": optimizer.name, "optimizer_params": optimizer.params(),
                      "prompt_uris": list(prompt_uris), "data": data,
                      "budget": limit.to_dict(), "alpha": alpha}  # fmt: skip
            log_run(client, run_id, result, {f"optimization.{k}": v for k, v in params.items()})
    return result


def _trace_reader(client: Any) -> Callable[[str], Any]:
    """Reads a row's trace back (after flushing the exporter), for scorers that need it."""
    from ardea.tracing import flush

    def fetch(trace_id: str) -> Any:
        flush()
        return client.trace_store.get_trace(trace_id)

    return fetch


def _text(template: Any) -> str:
    return template if isinstance(template, str) else json.dumps(template)


def _result(
    optimizer: BasePromptOptimizer,
    task: SearchTask,
    promoted: bool,
    reason: str,
    check: Any,
    stop_reason: str | None,
    interrupted: bool,
    run_id: str | None,
    data: dict[str, Any],
    meter: BudgetMeter,
) -> PromptOptimizationResult:
    base: Candidate = task.candidates[0]
    best = task.best()
    return PromptOptimizationResult(
        optimized_prompts=[],
        optimizer_name=optimizer.name,
        initial_eval_score=base.score,
        final_eval_score=best.score,
        initial_eval_score_per_scorer=base.per_scorer,
        final_eval_score_per_scorer=best.per_scorer,
        promoted=promoted,
        reason=reason + (f" (search stopped early: {stop_reason})" if stop_reason else ""),
        best=best,
        candidates=list(task.candidates),
        check=check,
        stop_reason=stop_reason,
        interrupted=interrupted,
        run_id=run_id,
        data=data,
        llm_calls=meter.llm_calls,
        cost=meter.cost,
        evaluations=meter.evaluations,
    )


def _register(prompts: Sequence[Any], result: PromptOptimizationResult) -> list[Any]:
    """Register a new version of each prompt the winner changed, with the lineage as tags."""
    from ardea import fluent

    registered = []
    for prompt in prompts:
        text = result.best.templates[prompt.name]
        if text == _text(prompt.template):
            continue
        template = text if prompt.is_text_prompt else json.loads(text)
        registered.append(
            fluent.register_prompt(
                prompt.name,
                template,
                commit_message=f"optimize_prompts ({result.optimizer_name}) from {prompt.uri}",
                tags=version_tags(result, prompt.uri),
                response_format=prompt.response_format,
                model_config=prompt.model_config,
            )
        )
    return registered
