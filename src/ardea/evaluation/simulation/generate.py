"""Test cases from recorded sessions, and simulated conversations as dataset records.

- :func:`generate_test_cases`: an LLM reads each recorded session and states the user's goal
  and persona (MLflow's ``generate_test_cases``);
- :func:`distill`: a conversation (a good one, typically) becomes an evaluation dataset
  record: the test case as ``inputs``, its outcome and transcript as ``expectations``;
  with ``dataset=``, merged into it in the same call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.simulation import prompts
from ardea.evaluation.simulation.conversation import Conversation

__all__ = ["distill", "generate_test_cases"]

_SESSION_FILTER = "metadata.`mlflow.trace.session` = '{}'"


def _session_traces(session: Any, index: int) -> list[Any]:
    """A session's traces: given, read by id, or searched by session id."""
    from ardea import fluent

    if isinstance(session, str):
        if "'" in session:
            raise InvalidArgumentError(f"session {index}: a session id cannot hold a quote")
        found = fluent.search_traces(
            filter_string=_SESSION_FILTER.format(session), return_type="list"
        )
        if not found:
            raise InvalidArgumentError(f"session {index}: no trace has session id {session!r}")
        return list(found)
    if isinstance(session, Conversation):
        return session.eval_traces()
    if not isinstance(session, Sequence) or not session:
        raise InvalidArgumentError(
            f"session {index} must be a session id, or a non-empty list of traces or trace ids"
        )
    return [fluent.get_trace(t) if isinstance(t, str) else t for t in session]


def _extract(client: Any, traces: list[Any], index: int) -> dict[str, Any] | None:
    from ardea.evaluation.scorers.trace_view import conversation

    text = conversation(traces)
    if not text.strip():
        return None
    result = client.chat(
        prompts.extract_messages(text),
        response_schema=prompts.EXTRACT_SCHEMA,
        schema_name="test_case",
        temperature=0.0,
    )
    found = result.parsed if isinstance(result.parsed, dict) else {}
    goal = str(found.get("goal") or "").strip()
    if not goal:
        return None
    case: dict[str, Any] = {"goal": goal}
    persona = str(found.get("persona") or "").strip()
    if persona:
        case["persona"] = persona
    return case


def generate_test_cases(
    sessions: Iterable[Any], *, model: str | None = None, concurrency: int = 16
) -> list[dict[str, Any]]:
    """Test cases (``goal``, ``persona``) extracted by an LLM from recorded sessions.

    Args:
        sessions: Each a list of traces (or trace ids) of one session, a session id
            (``mlflow.trace.session``, searched in the active experiment), or a simulated
            :class:`Conversation`.
        model: The extracting model's URI (default ``openai:/gpt-4.1-mini``).
        concurrency: Sessions read at once.

    Returns:
        One dict per session whose goal could be extracted, in order (sessions without a
        conversation or a goal are left out, as MLflow).

    Raises:
        InvalidArgumentError: A session that is neither, or a session id with no trace.
    """
    from ardea.evaluation.simulation.prompts import DEFAULT_USER_MODEL
    from ardea.llm import get_client

    found = [_session_traces(s, i) for i, s in enumerate(sessions)]
    if not found:
        raise InvalidArgumentError("sessions is empty: there is nothing to read")
    client = get_client(model or DEFAULT_USER_MODEL)
    with ThreadPoolExecutor(max(1, min(concurrency, len(found)))) as pool:
        cases = list(pool.map(lambda p: _extract(client, p[1], p[0]), enumerate(found)))
    return [c for c in cases if c is not None]


def _record(convo: Conversation) -> dict[str, Any]:
    case = convo.case
    inputs: dict[str, Any] = {"goal": case.goal, "persona": case.persona}
    if case.context:
        inputs["context"] = dict(case.context)
    if case.max_turns is not None:
        inputs["max_turns"] = case.max_turns
    if case.guidelines:
        inputs["simulation_guidelines"] = case.guidelines
    expectations: dict[str, Any] = {
        **case.expectations,
        "expected_outcome": convo.outcome,
        "expected_turns": len(convo.turns),
        "reference_conversation": convo.messages,
    }
    source_data = {"simulated_session_id": convo.session_id}
    if convo.trace_ids:
        source_data["trace_id"] = convo.trace_ids[0]
    return {
        "inputs": inputs,
        "expectations": expectations,
        "tags": {"ardea.simulation.outcome": convo.outcome},
        "source": {"source_type": "TRACE", "source_data": source_data},
    }


def distill(conversation: Any, dataset: Any = None) -> Any:
    """A simulated conversation as an evaluation dataset record (or records).

    The record's ``inputs`` are the test case (``goal``, ``persona``, ``context``,
    ``max_turns``), so ``ConversationSimulator(test_cases=dataset)`` replays it; its
    ``expectations`` are the case's own plus ``expected_outcome``, ``expected_turns`` and
    ``reference_conversation`` (the transcript).

    Args:
        conversation: A :class:`Conversation`, or several (a list, a ``SimulationResult``).
        dataset: An evaluation dataset (``ardea.evaluation.datasets`` or MLflow's): the
            records are merged into it.

    Returns:
        The record dict for one conversation, a list for several; the dataset's
        ``merge_records`` result when ``dataset`` is given.
    """
    single = isinstance(conversation, Conversation)
    convos = [conversation] if single else list(conversation)
    for i, c in enumerate(convos):
        if not isinstance(c, Conversation):
            raise InvalidArgumentError(
                f"distill takes simulated conversations; item {i} is {type(c).__name__}"
            )
    records = [_record(c) for c in convos]
    if dataset is not None:
        return dataset.merge_records(records)
    return records[0] if single else records
