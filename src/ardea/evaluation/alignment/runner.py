"""``align(judge, traces_with_human_labels, optimizer=...)``: align a judge with human labels.

1. The labelled rows (:mod:`~ardea.evaluation.alignment.labels`) are split, seeded and
   stratified by label, into training and held-out rows.
2. The base judge judges every row (concurrent, rate-limited through ``ardea.llm``).
3. The optimizer proposes a candidate from the training rows only.
4. The candidate judges the held-out rows; both judges' agreement with people there
   (``judge_agreement``: kappa, accuracy, TPR/TNR with intervals) decides promotion
   (:func:`~ardea.evaluation.alignment.result.decide`).
5. With ``register=True`` (the default) the run is recorded on the experiment's scorer
   registry: a promoted candidate becomes the judge's next scorer version (the base judge is
   registered first when no registered version matches it), and the lineage (optimizer,
   params, label set, base and new version, before/after agreement, decision) is stored,
   promoted or rejected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.evaluation.alignment.base import AlignmentOptimizer
from ardea.evaluation.alignment.labels import LabelledRow, labelled_rows, split
from ardea.evaluation.alignment.result import AlignmentResult, Check, decide
from ardea.evaluation.alignment.scoring import Verdict, agreement, is_binary, judge_rows
from ardea.evaluation.scorers.judge import InstructionsJudge

__all__ = ["OPTIMIZERS", "align", "resolve_optimizer"]

OPTIMIZERS = ("memalign", "gepa")
"""Optimizer names ``align(optimizer=...)`` accepts besides an optimizer object."""


def _paired(
    judge: InstructionsJudge,
    rows: Sequence[LabelledRow],
    before: Sequence[Verdict],
    after: Sequence[Verdict],
    check: Check,
) -> Check:
    """``check`` with McNemar's test on which held-out rows each judge got right."""
    from dataclasses import replace

    from ardea.evaluation.alignment.labels import label_text
    from ardea.evaluation.stats.paired import mcnemar_from_counts

    binary = is_binary(judge)

    def right(v: Verdict, row: LabelledRow) -> bool:
        said = label_text(v.value, binary)
        return not v.error and said is not None and said == label_text(row.label, binary)

    pairs = [(right(b, r), right(a, r)) for r, b, a in zip(rows, before, after, strict=True)]
    improved = sum(1 for b, a in pairs if a and not b)
    regressed = sum(1 for b, a in pairs if b and not a)
    test = mcnemar_from_counts(improved, regressed)
    return replace(check, improved=improved, regressed=regressed, p_value=test.p_exact)


def resolve_optimizer(optimizer: Any) -> AlignmentOptimizer:
    """An optimizer object for ``optimizer`` (a name from :data:`OPTIMIZERS` or an object).

    Raises:
        InvalidArgumentError: An unknown name or object.
    """
    if isinstance(optimizer, AlignmentOptimizer):
        return optimizer
    if optimizer is None or optimizer == "memalign":
        from ardea.evaluation.alignment.memalign import MemAlignOptimizer

        return MemAlignOptimizer()
    if optimizer == "gepa":
        from ardea.evaluation.alignment.gepa_optimizer import GepaOptimizer

        return GepaOptimizer()
    raise InvalidArgumentError(
        f"optimizer must be one of {', '.join(OPTIMIZERS)} or an AlignmentOptimizer, "
        f"got {optimizer!r}"
    )


def _label_set(
    rows: Sequence[LabelledRow], holdout: Sequence[LabelledRow], fraction: float, seed: int
) -> dict[str, Any]:
    return {
        "count": len(rows),
        "train": len(rows) - len(holdout),
        "holdout": len(holdout),
        "holdout_fraction": fraction,
        "seed": seed,
        "trace_ids": [r.trace_id for r in rows if r.trace_id],
        "assessment_ids": [r.assessment_id for r in rows if r.assessment_id],
        "holdout_keys": [r.key for r in holdout],
    }


def _experiment_of(rows: Sequence[LabelledRow], experiment_id: str | None) -> str:
    if experiment_id is not None:
        return str(experiment_id)
    found = {str(r.trace.info.experiment_id) for r in rows if r.trace is not None}
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise InvalidArgumentError(
            f"the traces come from experiments {sorted(found)}: pass experiment_id="
        )
    from ardea.fluent._runs import current_experiment_id

    return current_experiment_id()


def _comparable(text: str) -> Any:
    data = json.loads(text)
    if isinstance(data, dict):
        data.pop("mlflow_version", None)
    return data


def _matching_version(store: Any, experiment: str, judge: InstructionsJudge) -> int | None:
    """The latest registered version of the judge's name whose JSON is this judge's."""
    try:
        versions = store.list_scorer_versions(experiment, judge.name)
    except NotFoundError:
        return None
    mine = _comparable(judge.to_json())
    for v in reversed(versions):
        if _comparable(v.serialized_scorer) == mine:
            return int(v.version)
    return None


def _record(result: AlignmentResult, experiment: str, tracking_uri: str | None) -> None:
    from ardea.entities.scorer import JudgeAlignment
    from ardea.evaluation.scorers.registered import _client

    store = _client(tracking_uri).backend.scorers
    base = result.base
    base_version = _matching_version(store, experiment, base)
    if result.promoted:
        if base_version is None:
            base_version = store.register_scorer(experiment, base.name, base.to_json()).version
        candidate = result.candidate
        result.new_version = store.register_scorer(
            experiment, candidate.name, candidate.to_json()
        ).version
    result.base_version = base_version
    result.alignment = store.create_judge_alignment(
        JudgeAlignment(
            alignment_id="",
            experiment_id=experiment,
            name=result.candidate.name,
            optimizer=result.optimizer,
            base_version=base_version,
            new_version=result.new_version,
            promoted=result.promoted,
            reason=result.reason,
            creation_time=0,
            params=result.params,
            labels=result.labels,
            before=result.before.to_dict(),
            after=result.after.to_dict(),
        )
    )


def align(
    judge: InstructionsJudge,
    traces_with_human_labels: Any,
    optimizer: Any = "memalign",
    *,
    experiment_id: str | None = None,
    register: bool = True,
    holdout_fraction: float = 0.3,
    seed: int = 0,
    min_holdout: int = 10,
    min_kappa_gain: float = 0.0,
    alpha: float = 0.05,
    max_concurrency: int | None = None,
    tracking_uri: str | None = None,
    show_progress: bool | None = None,
) -> AlignmentResult:
    """Align ``judge`` with human labels; promote the result only if held-out agreement rises.

    Args:
        judge: A ``make_judge`` judge (or an aligned one, to align it further).
        traces_with_human_labels: Traces carrying HUMAN feedback named like the judge (a
            ``search_traces`` result, a review queue's traces), or rows
            ``{"inputs", "outputs", "expectations", "label"}``.
        optimizer: ``"memalign"`` (default), ``"gepa"`` (needs ``ardea[align]``), or an
            optimizer object (``MemAlignOptimizer(...)``, ``GepaOptimizer(...)``).
        experiment_id: Where the judge is registered (default: the traces' experiment, else
            the current one).
        register: Register a promoted judge as a new scorer version and record the run.
        holdout_fraction: Share of each label's rows held out for the check.
        seed: Seed of the split.
        min_holdout: Held-out rows needed to promote anything.
        min_kappa_gain: How much kappa must rise (strictly more than this).
        alpha: Largest p-value of McNemar's test (rows fixed vs rows broken on the held-out
            labels) that counts as an improvement; 1.0 turns the test off.
        max_concurrency: Judge calls in flight (default ``ARDEA_EVAL_MAX_CONCURRENCY``,
            else 128); the provider's limiter sets the actual rate.
        tracking_uri: The registry to record in (default: the fluent API's).
        show_progress: Force the progress bar on or off (default: ``ARDEA_PROGRESS``).

    Raises:
        InvalidArgumentError: Not a ``make_judge`` judge, no labels, bad settings.
    """
    from ardea.evaluation.evaluator import _concurrency, _raise_llm_limits

    if not isinstance(judge, InstructionsJudge):
        raise InvalidArgumentError(
            "align() needs a make_judge judge (instructions with template variables), "
            f"got {type(judge).__name__}"
        )
    if isinstance(min_holdout, bool) or not isinstance(min_holdout, int) or min_holdout < 1:
        raise InvalidArgumentError(f"min_holdout must be a positive integer, got {min_holdout!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
        raise InvalidArgumentError(f"alpha must be in (0, 1], got {alpha!r}")
    chosen = resolve_optimizer(optimizer)
    limit, chosen_by_user = _concurrency(max_concurrency)
    if chosen_by_user:  # as evaluate(): the provider's limiter may then take that many at once
        _raise_llm_limits([judge], limit)
    rows = labelled_rows(judge.name, traces_with_human_labels)
    if len(rows) < 2:
        raise InvalidArgumentError(
            f"align() needs human labels named {judge.name!r}: found {len(rows)} labelled rows"
        )
    train, holdout = split(rows, holdout_fraction=holdout_fraction, seed=seed,
                           binary=is_binary(judge))  # fmt: skip
    if not train or not holdout:
        raise InvalidArgumentError("too few labelled rows to hold any out for the check")
    verdicts = judge_rows(judge, [*train, *holdout], max_concurrency=limit, show=show_progress)
    train_verdicts, holdout_verdicts = verdicts[: len(train)], verdicts[len(train) :]
    candidate = chosen.optimize(judge, train, train_verdicts, max_concurrency=limit)
    after_verdicts = judge_rows(candidate, holdout, max_concurrency=limit, show=show_progress)
    before = agreement(judge, holdout_verdicts, holdout)
    after = agreement(candidate, after_verdicts, holdout)
    check = _paired(judge, holdout, holdout_verdicts, after_verdicts,
                    Check(min_holdout, float(min_kappa_gain), float(alpha)))  # fmt: skip
    promoted, reason = decide(before, after, check)
    result = AlignmentResult(
        judge=candidate if promoted else judge,
        base=judge,
        candidate=candidate,
        promoted=promoted,
        reason=reason,
        before=before,
        after=after,
        optimizer=chosen.name,
        params={**chosen.params(), "check": check.to_dict()},
        labels=_label_set(rows, holdout, holdout_fraction, seed),
    )
    if register:
        _record(result, _experiment_of(rows, experiment_id), tracking_uri)
    return result


def _install() -> None:
    """Hand ``align`` down to the judges (``Judge.align``), which cannot import this package."""
    from ardea.evaluation.scorers.base import CODEC

    CODEC["align"] = align


_install()
