"""The rows of an optimization: read like ``evaluate()``'s data, split, and fingerprinted."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.rows import EvalItem, to_items

__all__ = ["data_digest", "read_rows", "split_rows"]


def read_rows(data: Any, what: str) -> list[EvalItem]:
    """``data`` (anything ``evaluate()`` takes, without traces) as rows to predict.

    A row's ``outputs`` with no ``expectations`` become ``{"expected_response": outputs}``
    (MLflow's rule); predictions replace the outputs.

    Raises:
        InvalidArgumentError: Empty data, rows holding traces, or inputs that are not dicts.
    """
    if data is None or (hasattr(data, "__len__") and len(data) == 0):
        raise InvalidArgumentError(f"{what} is empty: optimize_prompts needs rows with inputs")
    items, _ = to_items(data)
    if not items:
        raise InvalidArgumentError(f"{what} is empty: optimize_prompts needs rows with inputs")
    for i, item in enumerate(items):
        if item.trace is not None:
            raise InvalidArgumentError(f"{what} row {i} holds a trace: give inputs to predict")
        if not isinstance(item.inputs, dict) or not item.inputs:
            raise InvalidArgumentError(
                f"{what} row {i}: inputs must be a non-empty dict of predict_fn's arguments"
            )
        if not item.expectations and item.outputs is not None:
            item.expectations = {"expected_response": item.outputs}
        item.outputs = None
        item.index = i
    return items


def split_rows(
    rows: Sequence[EvalItem], holdout_fraction: float, seed: int
) -> tuple[list[EvalItem], list[EvalItem]]:
    """Training and held-out rows: a seeded shuffle, ``holdout_fraction`` held out (>= 1).

    Raises:
        InvalidArgumentError: A fraction outside (0, 1), or too few rows to keep one each side.
    """
    if isinstance(holdout_fraction, bool) or not isinstance(holdout_fraction, (int, float)):
        raise InvalidArgumentError(f"holdout_fraction must be in (0, 1), got {holdout_fraction!r}")
    if not 0 < holdout_fraction < 1:
        raise InvalidArgumentError(f"holdout_fraction must be in (0, 1), got {holdout_fraction!r}")
    if len(rows) < 2:
        raise InvalidArgumentError(
            f"train_data has {len(rows)} row: at least 2 are needed to hold one out for the "
            "check (or pass eval_data)"
        )
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    n_out = min(len(rows) - 1, max(1, round(len(rows) * holdout_fraction)))
    held = sorted(order[:n_out])
    train = [rows[i] for i in sorted(order[n_out:])]
    holdout = [rows[i] for i in held]
    for i, item in enumerate(holdout):
        item.index = i
    for i, item in enumerate(train):
        item.index = i
    return train, holdout


def data_digest(rows: Sequence[EvalItem]) -> str:
    """SHA-256 of the rows' inputs and expectations (order included), first 16 hex digits."""
    text = json.dumps(
        [{"inputs": r.inputs, "expectations": r.expectations} for r in rows],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
