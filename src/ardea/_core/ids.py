"""Identifiers and generated names."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid

_ADJECTIVES = (
    "amber",
    "bold",
    "brisk",
    "calm",
    "clever",
    "crisp",
    "daring",
    "eager",
    "fleet",
    "gentle",
    "glad",
    "grand",
    "hardy",
    "jolly",
    "keen",
    "lively",
    "lucid",
    "merry",
    "nimble",
    "noble",
    "patient",
    "polite",
    "proud",
    "quick",
    "quiet",
    "rapid",
    "serene",
    "sharp",
    "shy",
    "silent",
    "sleek",
    "smart",
    "steady",
    "sturdy",
    "sunny",
    "swift",
    "tidy",
    "vivid",
    "warm",
    "wise",
)
_NOUNS = (
    "heron",
    "egret",
    "crane",
    "ibis",
    "stork",
    "kite",
    "finch",
    "wren",
    "lark",
    "owl",
    "otter",
    "badger",
    "lynx",
    "fox",
    "hare",
    "seal",
    "whale",
    "trout",
    "pike",
    "carp",
    "cedar",
    "maple",
    "birch",
    "willow",
    "aspen",
    "fern",
    "moss",
    "reed",
    "sedge",
    "iris",
    "comet",
    "delta",
    "fjord",
    "glade",
    "harbor",
    "meadow",
    "ridge",
    "river",
    "summit",
    "tide",
)


def new_run_id() -> str:
    """A run id: 32 lowercase hex characters."""
    return uuid.uuid4().hex


def new_logged_model_id() -> str:
    """A logged model id: ``m-`` and 32 hex characters."""
    return "m-" + uuid.uuid4().hex


_stamp_lock = threading.Lock()
_last_stamp_ns = 0


def _next_stamp_ns() -> int:
    """The wall clock in ns, strictly increasing within this process.

    A tie with the last stamp, or a clock step back, gives the last stamp + 1.
    """
    global _last_stamp_ns
    with _stamp_lock:
        now = time.time_ns()
        _last_stamp_ns = now if now > _last_stamp_ns else _last_stamp_ns + 1
        return _last_stamp_ns


def new_assessment_id() -> str:
    """An assessment id: ``a-`` and 32 hex characters, ordered by creation time.

    The first 16 hex are a nanosecond stamp (strictly increasing within a process, and in
    wall-clock order across processes of one machine), the last 16 random. Assessments sort
    by ``(create_time, assessment_id)``: the id keeps the creation order of assessments
    whose client-given ``create_time`` (milliseconds) is the same. The format is MLflow's.
    """
    return f"a-{_next_stamp_ns():016x}{os.urandom(8).hex()}"


def generate_run_name() -> str:
    """A readable run name such as ``swift-heron-417``."""
    return f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{random.randint(0, 999)}"


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return time.time_ns() // 1_000_000
