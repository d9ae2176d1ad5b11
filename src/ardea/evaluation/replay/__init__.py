"""Deterministic replay: re-run an app against a recorded trace, its calls served back.

See :func:`replay` and ``docs/replay.md``. ``ardea test`` runs a folder of trace files
through it (:mod:`ardea.evaluation.replay.suite`).
"""

from __future__ import annotations

from ardea.evaluation.replay._files import load_traces, trace_from_doc, trace_to_doc
from ardea.evaluation.replay._result import Divergence, ReplayResult, SessionReplayResult, Step
from ardea.evaluation.replay._run import (
    REPLAY_RESULT_TAG,
    REPLAY_SOURCE_TAG,
    REPLAY_STATUS_TAG,
    replay,
)
from ardea.tracing.cassette import ReplayDivergenceError

__all__ = [
    "REPLAY_RESULT_TAG",
    "REPLAY_SOURCE_TAG",
    "REPLAY_STATUS_TAG",
    "Divergence",
    "ReplayDivergenceError",
    "ReplayResult",
    "SessionReplayResult",
    "Step",
    "load_traces",
    "replay",
    "trace_from_doc",
    "trace_to_doc",
]
