"""One simulated conversation: user message, traced app call, stop checks, turn after turn.

Each turn's ``predict_fn`` call is the root span (``simulation_turn_<n>``, CHAIN) of its own
trace, with ``mlflow.trace.session``, ``mlflow.trace.user`` and MLflow's
``mlflow.simulation.goal`` / ``persona`` / ``turn`` metadata, in the simulation's run; its
request and response previews are the user's message and the answer's text (what the UI's
transcripts show).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ardea.evaluation.simulation import conversation as outcome
from ardea.evaluation.simulation.conversation import Conversation, Turn
from ardea.evaluation.simulation.user import SimulatedUser

__all__ = ["Predictor", "reply_text", "run_conversation"]

_MAX_METADATA = 250
StopCondition = Callable[[Conversation], Any]


def reply_text(response: Any) -> str:
    """The assistant text of what ``predict_fn`` returned.

    A string; an OpenAI Chat Completions or Responses answer (object or dict); a message
    dict (``content``); anything else as ``str``.
    """
    if response is None:
        return ""
    if isinstance(response, str):
        return response
    dump = getattr(response, "model_dump", None)
    if callable(dump) and not isinstance(response, Mapping):
        text = getattr(response, "output_text", None)
        if isinstance(text, str):
            return text
        response = dump()
    if isinstance(response, Mapping):
        choices = response.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], Mapping):
            message = choices[0].get("message") or {}
            return str(message.get("content") or "")
        for key in ("output_text", "content", "response", "output"):
            value = response.get(key)
            if isinstance(value, str):
                return value
    return str(response)


@dataclass
class Predictor:
    """How ``predict_fn`` is called.

    The history goes under ``messages`` or ``input`` (MLflow's rule), ``mlflow_session_id``
    when it accepts it; sync or async.
    """

    fn: Callable[..., Any]
    input_key: str
    takes_session: bool
    is_async: bool

    @classmethod
    def of(cls, fn: Callable[..., Any]) -> Predictor:
        """Check ``fn``'s signature and build its caller.

        Raises:
            InvalidArgumentError: ``fn`` is not callable, or takes both or neither of
                ``messages`` and ``input`` (and no ``**kwargs``).
        """
        from ardea._core.errors import InvalidArgumentError

        if not callable(fn):
            raise InvalidArgumentError("predict_fn must be callable")
        params = inspect.signature(fn).parameters
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        if "messages" in params and "input" in params:
            raise InvalidArgumentError("predict_fn cannot take both 'messages' and 'input'")
        if "input" in params:
            key = "input"
        elif "messages" in params or var_kw:
            key = "messages"
        else:
            raise InvalidArgumentError(
                "predict_fn must take the conversation as 'messages' (Chat Completions "
                "format) or 'input' (Responses format)"
            )
        takes = var_kw or "mlflow_session_id" in params
        return cls(fn, key, takes, inspect.iscoroutinefunction(fn))

    def __call__(
        self, history: list[dict[str, Any]], session_id: str, context: dict[str, Any]
    ) -> Any:
        """Call the app with the history, the case's context and the session id."""
        kwargs: dict[str, Any] = {self.input_key: [dict(m) for m in history], **context}
        if self.takes_session:
            kwargs["mlflow_session_id"] = session_id
        if self.is_async:
            return asyncio.run(self.fn(**kwargs))
        return self.fn(**kwargs)


def _traced_turn(
    predict: Predictor,
    convo: Conversation,
    history: list[dict[str, Any]],
    step: Turn,
    run: tuple[str | None, str | None],
) -> None:
    from ardea.tracing import start_span, update_current_trace
    from ardea.tracing.context import current_meta, registry

    case = convo.case
    turn = len(convo.turns) - 1
    inputs = {predict.input_key: [dict(m) for m in history], **case.context}
    with start_span(f"simulation_turn_{turn}", span_type="CHAIN", inputs=inputs) as span:
        update_current_trace(
            session_id=convo.session_id,
            user_id=f"simulated:{case.name or f'case-{convo.index}'}",
            metadata={
                "mlflow.simulation.goal": case.goal[:_MAX_METADATA],
                "mlflow.simulation.persona": case.persona[:_MAX_METADATA],
                "mlflow.simulation.turn": str(turn),
                "ardea.simulation.case": str(convo.index),
            },
            tags={"ardea.simulation": "true", "ardea.simulation.run": run[0] or ""},
            request_preview=str(history[-1]["content"]),
        )
        meta = current_meta()
        if meta is not None and run[0] is not None:
            with registry.lock:
                meta.experiment_id, meta.run_id = run[1], run[0]
        step.trace_id = span.trace_id
        step.response = predict(history, convo.session_id, case.context)
        span.set_outputs(step.response)
        step.assistant = reply_text(step.response)
        update_current_trace(response_preview=step.assistant)


def run_conversation(
    convo: Conversation,
    predict: Predictor,
    user: SimulatedUser,
    stop_condition: StopCondition | None,
    run: tuple[str | None, str | None],
    gate: AbstractContextManager[Any] | None = None,
) -> Conversation:
    """Play ``convo.case`` to its end; ``convo`` is filled in and returned.

    Each step (the user's message, the app's turn, the goal check) runs inside ``gate`` (a
    semaphore shared by every conversation: the steps in flight at most), so conversations
    interleave step by step and no slot idles while any conversation has a step to take.
    """
    gate = gate if gate is not None else contextlib.nullcontext()
    case = convo.case
    history: list[dict[str, Any]] = []
    max_turns = case.max_turns or 1
    agent = None
    for turn in range(max_turns):
        try:
            if turn == 0:
                agent = user.for_conversation()
            with gate:
                if agent is not None:
                    said = user.custom_message(agent, case, history, turn)
                else:
                    said = user.next_message(case, history, convo.index, turn)
        except Exception as exc:
            convo.outcome, convo.reason = (
                outcome.ERROR,
                f"simulated user: {type(exc).__name__}: {exc}",
            )
            return convo
        if said.abandon:
            convo.outcome, convo.reason = outcome.ABANDONED, said.reason
            return convo
        history.append({"role": "user", "content": said.text})
        step = Turn(user=said.text)
        convo.turns.append(step)
        try:
            with gate:
                _traced_turn(predict, convo, history, step, run)
        except Exception as exc:
            convo.outcome, convo.reason = outcome.ERROR, f"predict_fn: {type(exc).__name__}: {exc}"
            return convo
        if not (step.assistant or "").strip():
            convo.outcome, convo.reason = outcome.STOPPED, "the app answered nothing"
            return convo
        history.append({"role": "assistant", "content": step.assistant})
        if stop_condition is not None and (said_stop := stop_condition(convo)):
            why = said_stop if isinstance(said_stop, str) else "stop_condition returned true"
            convo.outcome, convo.reason = outcome.STOPPED, why
            return convo
        try:
            with gate:
                verdict = user.check_goal(case, history, convo.index, turn)
        except Exception as exc:
            convo.outcome, convo.reason = outcome.ERROR, f"goal check: {type(exc).__name__}: {exc}"
            return convo
        if verdict.reached:
            convo.outcome, convo.reason = outcome.GOAL_REACHED, verdict.rationale
            return convo
    convo.outcome, convo.reason = outcome.MAX_TURNS, f"no goal after {max_turns} turn(s)"
    return convo
