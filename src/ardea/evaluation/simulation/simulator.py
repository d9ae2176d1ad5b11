"""``ConversationSimulator``: simulated users hold conversations with an app, in parallel.

Follows MLflow 3's ``mlflow.genai.simulators.ConversationSimulator``; docs/simulation.md lists
every difference.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.simulation import conversation as outcome
from ardea.evaluation.simulation.agents import BaseSimulatedUserAgent
from ardea.evaluation.simulation.cases import DEFAULT_MAX_TURNS, TestCase, to_cases
from ardea.evaluation.simulation.conversation import Conversation, SimulationResult
from ardea.evaluation.simulation.gate import FairGate
from ardea.evaluation.simulation.prompts import DEFAULT_USER_MODEL
from ardea.evaluation.simulation.runner import Predictor, StopCondition, run_conversation
from ardea.evaluation.simulation.user import SimulatedUser

if TYPE_CHECKING:
    from ardea.evaluation.progress import EvalProgress

__all__ = ["DEFAULT_USER_MODEL", "SIMULATION_TAG", "ConversationSimulator"]

SIMULATION_TAG = "ardea.simulation"
"""Tag (``"true"``) on the simulation's run and on every trace it made."""
OUTCOME_TAG = "ardea.simulation.outcome"
"""Tag on a conversation's first trace: its outcome."""
REASON_TAG = "ardea.simulation.reason"
"""Tag on a conversation's first trace: why it ended."""

_TAG_LIMIT = 4000
_READ_BATCH = 500
MAX_CONVERSATIONS = 256
"""Conversations that proceed at once (each waits for a step slot: ``concurrency``)."""


class ConversationSimulator:
    """Simulated users, one per test case, talk to ``predict_fn`` until each conversation ends.

    A conversation ends when the goal check says the goal is reached (``goal_reached``), the
    simulated user gives up (``abandoned``), the case's turn limit is hit (``max_turns``),
    ``stop_condition`` says so (``stopped``), or a call fails (``error``). Each turn is a
    trace of the session ``mlflow.trace.session``, so session judges score it and
    ``ardea.evaluate(data=result)`` takes the result.

    Args:
        test_cases: Dicts with ``goal`` (required), ``persona``, ``context`` (extra kwargs
            for ``predict_fn``), ``max_turns``, ``expectations``, ``simulation_guidelines``,
            ``name``; or a DataFrame, or an evaluation dataset whose inputs hold them.
        predict_fn: The app: takes the conversation as ``messages`` (Chat Completions
            format) or ``input`` (Responses format), plus the context's keys and
            ``mlflow_session_id`` when it accepts it; sync or async. May also be given to
            :meth:`simulate`.
        max_turns: The turn limit of cases that set none (default 10).
        user_model: The simulated user's and goal check's model URI, through ``ardea.llm``.
        stop_condition: Called with the :class:`Conversation` after each answer; a true
            value (or a text: the reason) stops it as ``stopped``.
        seed: Makes the run reproducible with a deterministic provider: each user and goal
            call sends a seed derived from it.
        concurrency: Steps in flight at most, across conversations: a step is the user's
            message, the app's turn or the goal check (default ``ARDEA_EVAL_MAX_CONCURRENCY``,
            else 128, as ``evaluate``). Up to :data:`MAX_CONVERSATIONS` conversations proceed
            at once, interleaved step by step, so ``predict_fn`` runs at most this many times
            at once and no slot idles while a conversation has a step to take. Set
            explicitly, it also raises the user model's provider limit to it.
        show_progress: Force the progress bar on or off (default: ``ARDEA_PROGRESS`` / a
            terminal).
        user_agent_class: A :class:`~ardea.evaluation.simulation.agents.BaseSimulatedUserAgent`
            subclass writing the user's messages (one instance per conversation, built with
            ``model=user_model`` and ``user_llm_params``); the goal check stays the LLM's.
        **user_llm_params: ``temperature``, ``max_tokens``, ``extra_body`` for the simulated
            user's calls.

    Raises:
        InvalidArgumentError: (a ``ValueError``) bad test cases, naming the case; a
            ``predict_fn`` with the wrong signature.

    Attributes:
        progress: The last :meth:`simulate`'s counters (conversations, errors, LLM calls,
            tokens, cost), as ``evaluate``'s.
    """

    def __init__(
        self,
        test_cases: Any,
        predict_fn: Callable[..., Any] | None = None,
        *,
        max_turns: int = DEFAULT_MAX_TURNS,
        user_model: str | None = None,
        stop_condition: StopCondition | None = None,
        seed: int | None = None,
        concurrency: int | None = None,
        show_progress: bool | None = None,
        user_agent_class: type[BaseSimulatedUserAgent] | None = None,
        **user_llm_params: Any,
    ) -> None:
        from ardea.evaluation.evaluator import _concurrency

        self.test_cases: list[TestCase] = to_cases(test_cases, max_turns)
        self.predict_fn = predict_fn
        if predict_fn is not None:
            Predictor.of(predict_fn)
        self.max_turns = max_turns
        self.user_model = user_model or DEFAULT_USER_MODEL
        if stop_condition is not None and not callable(stop_condition):
            raise InvalidArgumentError("stop_condition must be callable")
        self.stop_condition = stop_condition
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise InvalidArgumentError(f"seed must be an integer, got {seed!r}")
        self.seed = seed
        self.concurrency, self._explicit = _concurrency(concurrency)
        self.show_progress = show_progress
        if user_agent_class is not None and not (
            isinstance(user_agent_class, type)
            and issubclass(user_agent_class, BaseSimulatedUserAgent)
        ):
            raise InvalidArgumentError(
                "user_agent_class must be a subclass of BaseSimulatedUserAgent, got "
                f"{user_agent_class!r}"
            )
        self.user_agent_class = user_agent_class
        self.user_llm_params = user_llm_params
        self.progress: EvalProgress | None = None

    def simulate(self, predict_fn: Callable[..., Any] | None = None) -> SimulationResult:
        """Run every test case's conversation.

        The traces land in a run: the active one, or a new ``simulation-<id>`` run; either
        is tagged ``ardea.simulation``.

        Returns:
            The conversations, in test-case order, with their traces read back.
        """
        from ardea import fluent

        predict = Predictor.of(predict_fn or self.predict_fn)  # type: ignore[arg-type]
        user = SimulatedUser(
            self.user_model, self.seed, self.user_agent_class, **self.user_llm_params
        )
        if self._explicit and user.client.limiter.max_concurrency < self.concurrency:
            user.client.limiter.max_concurrency = self.concurrency
        active = fluent.active_run()
        run = active or fluent.start_run(run_name=f"simulation-{uuid.uuid4().hex[:8]}")
        status = "FAILED"
        try:
            run_id, experiment_id = run.info.run_id, run.info.experiment_id
            fluent.set_tags(
                {SIMULATION_TAG: "true", f"{SIMULATION_TAG}.user_model": self.user_model}
            )
            convos = self._run_all(predict, user, (run_id, experiment_id))
            self._finish(convos)
            status = "FINISHED"
        finally:
            if active is None:
                fluent.end_run(status)
        return SimulationResult(convos, run_id)

    def _run_all(
        self, predict: Predictor, user: SimulatedUser, run: tuple[str | None, str | None]
    ) -> list[Conversation]:
        from ardea.evaluation.progress import EvalProgress

        convos = [
            Conversation(i, case, f"sim-{uuid.uuid4().hex[:16]}")
            for i, case in enumerate(self.test_cases)
        ]
        progress = EvalProgress(len(convos), self.show_progress, "simulate", "conversation")

        gate = FairGate(self.concurrency)

        def play(convo: Conversation) -> None:
            run_conversation(convo, predict, user, self.stop_condition, run, gate)
            progress.row_done(1 if convo.outcome == outcome.ERROR else 0)

        # Every conversation proceeds at once (up to MAX_CONVERSATIONS), a step at a time
        # through the gate, in turn: a pool of `concurrency` conversations taken in order
        # idled its slots behind the longest ones at the end (lengths are unknown up front).
        workers = max(1, min(len(convos), max(self.concurrency, MAX_CONVERSATIONS)))
        with progress, ThreadPoolExecutor(workers, thread_name_prefix="ardea-simulate") as pool:
            list(pool.map(play, convos))
        self.progress = progress
        return convos

    def _finish(self, convos: Sequence[Conversation]) -> None:
        """Tag each conversation's first trace, log its expectations, read its traces back."""
        from ardea import fluent
        from ardea.tracing import flush

        flush()
        client = fluent.get_client()
        store = client.trace_store

        def finish(convo: Conversation) -> None:
            ids = convo.trace_ids
            if not ids:
                return
            store.set_trace_tag(ids[0], OUTCOME_TAG, convo.outcome)
            store.set_trace_tag(ids[0], REASON_TAG, convo.reason[:_TAG_LIMIT])
            for name, value in convo.case.expectations.items():
                client.log_expectation(
                    ids[0], name, value, metadata={"mlflow.trace.session": convo.session_id}
                )

        with ThreadPoolExecutor(max(1, min(16, self.concurrency, len(convos)))) as pool:
            list(pool.map(finish, convos))
        wanted = [t for convo in convos for t in convo.trace_ids]
        found = {}
        for start in range(0, len(wanted), _READ_BATCH):  # one read per batch, not per trace
            chunk = store.batch_get_traces(wanted[start : start + _READ_BATCH])
            found.update({trace.info.trace_id: trace for trace in chunk})
        for convo in convos:
            convo.traces = [found[t] for t in convo.trace_ids if t in found]
