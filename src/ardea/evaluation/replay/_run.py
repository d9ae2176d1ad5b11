"""``replay()``: re-run an app on a recorded trace's inputs with its calls served back."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Trace
from ardea.evaluation.replay import _result as r
from ardea.evaluation.replay._files import load_traces, trace_from_doc
from ardea.evaluation.replay._tape import MODES, Tape, TapeCassette, request_key
from ardea.tracing import cassette
from ardea.tracing.cassette import ReplayDivergenceError

__all__ = ["REPLAY_RESULT_TAG", "REPLAY_SOURCE_TAG", "REPLAY_STATUS_TAG", "replay", "resolve"]

REPLAY_SOURCE_TAG = "ardea.replay.source_trace"
"""Tag on a replay's trace: the recorded trace it replayed."""
REPLAY_STATUS_TAG = "ardea.replay.status"
"""Tag on a replay's trace: ``passed`` or ``diverged``."""
REPLAY_RESULT_TAG = "ardea.replay.result"
"""Tag on a replay's trace: the result (steps, divergence) as JSON."""


def resolve(trace_or_session: Any) -> list[Trace]:
    """The trace(s) to replay from what the caller gave.

    Accepts a :class:`Trace`, a trace document (``Trace.to_json()``), a path to a trace file,
    a trace id (``tr-...``, read through the tracking store), or a sequence of these (a
    session, replayed turn by turn).

    Raises:
        InvalidArgumentError: Nothing that names a trace.
    """
    if isinstance(trace_or_session, Trace):
        return [trace_or_session]
    if isinstance(trace_or_session, dict):
        return [trace_from_doc(trace_or_session)]
    if isinstance(trace_or_session, Path) or (
        isinstance(trace_or_session, str) and not trace_or_session.startswith("tr-")
    ):
        return load_traces(trace_or_session)
    if isinstance(trace_or_session, str):
        from ardea.fluent import get_trace

        return [get_trace(trace_or_session)]
    if isinstance(trace_or_session, Sequence) and trace_or_session:
        return [t for item in trace_or_session for t in resolve(item)]
    raise InvalidArgumentError(
        "replay needs a Trace, a trace document, a trace file path, a trace id or a list of "
        f"them, not {type(trace_or_session).__name__}"
    )


def _call(predict_fn: Callable[..., Any], inputs: Any) -> Any:
    result = predict_fn(**inputs) if isinstance(inputs, dict) else predict_fn(inputs)
    if inspect.isawaitable(result):

        async def wait() -> Any:
            return await result

        return asyncio.run(wait())
    return result


def _replay_one(
    trace: Trace, predict_fn: Callable[..., Any], mode: str, compare_outputs: bool
) -> r.ReplayResult:
    from ardea.tracing import start_span
    from ardea.tracing.context import update_current_trace

    served = MODES[mode]
    tape = Tape(trace, served)
    player = TapeCassette(tape, served)
    result = r.ReplayResult(tape.trace_id, None, mode, player.steps)
    root = tape.root
    name = getattr(predict_fn, "__name__", None) or root.name
    with cassette.playing(player), start_span(name, "CHAIN", inputs=root.inputs) as span:
        result.trace_id = span.trace_id
        failure: r.Divergence | None = None
        try:
            result.outputs = _call(predict_fn, root.inputs)
            span.set_outputs(result.outputs)
        except ReplayDivergenceError:
            pass  # the cassette holds the divergence
        except Exception as exc:
            message = f"the app raised {type(exc).__name__}: {exc}"
            failure = r.Divergence(
                r.ERROR,
                player.position,
                name,
                root.outputs,
                {"error": f"{type(exc).__name__}: {exc}"},
                message,
            )
        if player.divergence is None and failure is None:
            player.finish()
        result.divergence = player.divergence or failure
        if result.divergence is None and compare_outputs:
            recorded = root.outputs
            now = json.loads(request_key(result.outputs))
            if request_key(recorded) != request_key(now):
                result.divergence = r.Divergence(
                    r.DIFFERENT_OUTPUT,
                    len(player.steps),
                    root.name,
                    recorded,
                    now,
                    "the run returned a different output than recorded",
                )
        result.served = player.served
        update_current_trace(
            tags={
                REPLAY_SOURCE_TAG: tape.trace_id,
                REPLAY_STATUS_TAG: "passed" if result.passed else "diverged",
                REPLAY_RESULT_TAG: r.tag_value(result),
            }
        )
    return result


def replay(
    trace_or_session: Any,
    predict_fn: Callable[..., Any],
    mode: str = "all",
    compare_outputs: bool = True,
) -> r.ReplayResult | r.SessionReplayResult:
    """Re-run an app on a recorded trace, its model and tool calls served from the recording.

    ``predict_fn`` is called with the recorded root span's inputs (as keyword arguments when
    they are a dict). Each LLM call the autolog integrations trace (OpenAI, Anthropic,
    LangChain chat models) and each ``@ardea.trace(span_type="TOOL")`` call is matched, in
    order, against the recording by span name and inputs; a matching call gets the recorded
    answer (a stream when it asked for one) and makes no request. The first call that leaves
    the recording stops the run there with a
    :class:`~ardea.tracing.cassette.ReplayDivergenceError` and is reported as the result's
    ``divergence``; so are a recorded call the run never made, an error of the app, and (with
    ``compare_outputs``) a different final output. The run is traced as a new trace tagged
    ``ardea.replay.status`` and ``ardea.replay.source_trace``.

    Args:
        trace_or_session: A :class:`~ardea.entities.Trace`, a trace document, a trace file
            path, a trace id, or a list of them (a session: each turn replayed in order).
        predict_fn: The app's entry point (sync or async).
        mode: ``"all"`` serves model and tool calls; ``"tools"`` serves tools and calls the
            model live; ``"model"`` serves the model and runs tools live. Live calls are still
            checked against the recording.
        compare_outputs: Also report a final output that differs from the recorded one.

    Returns:
        A :class:`ReplayResult` for one trace, a :class:`SessionReplayResult` for a list.

    Raises:
        InvalidArgumentError: An unknown mode, or a recording a replay cannot use (no spans,
            missing spans, no root inputs or output, a served call with no recorded output).
    """
    if mode not in MODES:
        raise InvalidArgumentError(f"mode must be one of {sorted(MODES)}, not {mode!r}")
    if not callable(predict_fn):
        raise InvalidArgumentError("predict_fn must be callable")
    traces = resolve(trace_or_session)
    for trace in traces:
        Tape(trace, MODES[mode])  # every turn is checked before anything runs
    results = [_replay_one(t, predict_fn, mode, compare_outputs) for t in traces]
    if isinstance(trace_or_session, list | tuple):
        return r.SessionReplayResult(results)
    if len(results) == 1:
        return results[0]
    return r.SessionReplayResult(results)
