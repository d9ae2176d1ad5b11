"""Where an optimization's lineage goes: its run, and the tags of the version it registers.

The run (a new one named ``optimize_prompts``, a child of the active run if any) gets the
optimizer and its settings, the data's digest and sizes and the budget as params; each
candidate's training score as the metric ``candidate_score`` at step = the candidate's index
(with ``candidate_score_low`` / ``_high``, its interval); the starting and final scores and the
held-out check as metrics; the decision as tags; and everything, templates included, as the
artifact ``prompt_optimization.json``. A registered version carries the lineage as tags
(:data:`TAG_PREFIX` ...): optimizer, run, source version, data, held-out scores, and each
candidate's score when that fits in a tag (else the count and the artifact's name).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ardea.entities.run import Metric, Param, RunTag

if TYPE_CHECKING:
    from ardea.evaluation.optimize.result import PromptOptimizationResult

__all__ = ["ARTIFACT", "TAG_PREFIX", "log_run", "version_tags"]

TAG_PREFIX = "ardea.optimization."
"""Prefix of the lineage tags on a registered prompt version and on the run."""

ARTIFACT = "prompt_optimization.json"
"""The run artifact holding every candidate (templates, scores, intervals) and the check."""

_MAX_TAG = 4000


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def version_tags(result: PromptOptimizationResult, source_uri: str) -> dict[str, str]:
    """The lineage tags of a version registered by ``result`` (from ``source_uri``)."""
    scores = [
        {
            "index": c.index,
            "score": round(c.score, 6),
            "low": c.interval.low,
            "high": c.interval.high,
            "n": c.interval.n,
        }
        for c in result.candidates
    ]
    candidates = _json(scores)
    if len(candidates) > _MAX_TAG:
        candidates = _json({"count": len(scores), "artifact": ARTIFACT})
    tags = {
        "optimizer": result.optimizer_name,
        "source": source_uri,
        "data": _json(result.data),
        "candidates": candidates,
        "best_candidate": str(result.best.index),
        "train_score": f"{result.initial_eval_score:.6g} -> {result.final_eval_score:.6g}",
    }
    if result.check is not None:
        tags["heldout"] = _json(result.check.to_dict())
    if result.run_id:
        tags["run_id"] = result.run_id
    return {TAG_PREFIX + k: v for k, v in tags.items()}


def log_run(
    client: Any, run_id: str, result: PromptOptimizationResult, params: dict[str, Any]
) -> None:
    """Log ``result``'s lineage to ``run_id`` (see the module)."""
    from ardea._core.ids import now_ms

    now = now_ms()
    metrics: list[Metric] = []
    for c in result.candidates:
        metrics.append(Metric("candidate_score", c.score, now, c.index))
        if c.interval.low is not None and c.interval.high is not None:
            metrics.append(Metric("candidate_score_low", c.interval.low, now, c.index))
            metrics.append(Metric("candidate_score_high", c.interval.high, now, c.index))
    named = {
        "initial_eval_score": result.initial_eval_score,
        "final_eval_score": result.final_eval_score,
        "llm_calls": float(result.llm_calls),
        "cost": result.cost,
    }
    if result.check is not None:
        named.update(
            holdout_baseline_score=result.check.baseline.value,
            holdout_score=result.check.candidate.value,
            holdout_p_value=result.check.p_value,
        )
    metrics += [Metric(k, float(v), now, 0) for k, v in named.items() if v is not None]
    client.log_batch(
        run_id,
        metrics=metrics,
        params=[Param(k, _json(v) if not isinstance(v, str) else v) for k, v in params.items()],
        tags=[
            RunTag(TAG_PREFIX + "promoted", "true" if result.promoted else "false"),
            RunTag(TAG_PREFIX + "reason", result.reason[:_MAX_TAG]),
            RunTag(TAG_PREFIX + "optimizer", result.optimizer_name),
        ],
    )
    client.log_dict(run_id, result.to_dict(), ARTIFACT)
