"""Identifiers and generated names."""

from __future__ import annotations

import random
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


def generate_run_name() -> str:
    """A readable run name such as ``swift-heron-417``."""
    return f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{random.randint(0, 999)}"


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return time.time_ns() // 1_000_000
