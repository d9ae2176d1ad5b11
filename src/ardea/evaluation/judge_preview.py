"""Run a draft ``make_judge`` judge on chosen traces in the server: the judge builder's preview.

:func:`preview_judge` builds the judge (:func:`~ardea.evaluation.scorers.make_judge`), renders
its prompt for every trace in the prompt registry's sandbox before any LLM call (a template
error is an :class:`~ardea._core.errors.InvalidArgumentError`), then asks the model for each
trace concurrently (at most :data:`PREVIEW_CONCURRENCY` calls at once, one overall deadline of
:data:`PREVIEW_DEADLINE` seconds). A failing trace is an error on its row, never fatal. Nothing
is stored.

Each row carries the trace's HUMAN feedback of the judge's name (the latest valid one), and
when at least one row has one, the agreement of the judge with those labels
(:func:`ardea.evaluation.stats.judge_agreement`: accuracy, Cohen's kappa, TPR/TNR with
intervals).

Model credentials: only what the server's own environment and credentials file provide
(:func:`server_providers`). The request names a model URI and nothing else: no ``base_url``,
no headers, so a caller can neither point the server at an address of its choosing nor send
its keys elsewhere. A provider without credentials configured on the server is refused before
any call, as is ``gateway:/`` (the server calling itself).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.entities import Assessment, Feedback
from ardea.entities.assessment import AssessmentSourceType
from ardea.evaluation.rows import item_from_trace
from ardea.evaluation.scorers.judge import InstructionsJudge, JudgeInputError, make_judge
from ardea.evaluation.stats._common import _binary_word, json_safe
from ardea.llm.credentials import credentials_file, load_credentials_file, resolve_config
from ardea.llm.uri import PROVIDERS, ModelRef, parse_model_uri, provider_spec
from ardea.store.traces import TraceStore

__all__ = [
    "MAX_PREVIEW_TRACES",
    "PREVIEW_CONCURRENCY",
    "PREVIEW_DEADLINE",
    "VALUE_TYPES",
    "JudgeDraft",
    "PreviewRow",
    "build_draft_judge",
    "load_preview_traces",
    "preview_judge",
    "server_providers",
]

MAX_PREVIEW_TRACES = 50
"""Traces one preview may judge."""
PREVIEW_CONCURRENCY = 8
"""Judge calls in flight at once for one preview."""
PREVIEW_DEADLINE = 120.0
"""Seconds one preview may take in all; rows not judged by then are errors."""
VALUE_TYPES: dict[str, Any] = {"boolean": bool, "integer": int, "number": float, "string": str}
"""``feedback_value_type`` names the preview accepts (JSON-schema names), besides
``categorical`` (with ``categories``)."""

_REFUSED = {"gateway": "gateway:/ (the server's own gateway) cannot run server-side judges"}


@dataclass(frozen=True)
class JudgeDraft:
    """What the builder sends: the judge's definition.

    Attributes:
        name: Assessment name (also the name human labels are matched on).
        instructions: The instructions with template variables.
        model: Model URI (``openai:/gpt-4.1-mini``).
        feedback_value_type: ``boolean`` (default), ``integer``, ``number``, ``string`` or
            ``categorical``.
        categories: The labels of a ``categorical`` judge.
    """

    name: str
    instructions: str
    model: str
    feedback_value_type: str | None = None
    categories: Sequence[str] = ()


@dataclass
class PreviewRow:
    """One trace judged: the verdict (or error) and the human label beside it."""

    trace_id: str
    value: Any = None
    rationale: str | None = None
    error: str | None = None
    cost: float | None = None
    tokens: int | None = None
    human: dict[str, Any] | None = None
    request_preview: str | None = None
    _extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The row as the route answers it."""
        return {
            "trace_id": self.trace_id,
            "value": self.value,
            "rationale": self.rationale,
            "error": self.error,
            "cost": self.cost,
            "tokens": self.tokens,
            "human": self.human,
            "request_preview": self.request_preview,
        }


# ---------------------------------------------------------------------- credentials


def _explicit_base_url(name: str, section: Mapping[str, Any]) -> bool:
    spec = PROVIDERS.get(name)
    names = list(spec.base_url_env) if spec else []
    if name == "ollama":
        names.append("OLLAMA_HOST")
    return bool(section.get("base_url")) or any(os.environ.get(n) for n in names)


def _usable(ref: ModelRef) -> bool:
    """Whether the server itself is configured to call ``ref``'s provider."""
    try:
        config = resolve_config(ref)
    except InvalidArgumentError:
        return False
    if config.missing:
        return False
    if config.api_key or config.bearer or config.aws_secret_access_key:
        return True
    sections = load_credentials_file()
    section = sections.get(ref.scheme) or sections.get(config.provider) or {}
    return _explicit_base_url(config.provider, section if isinstance(section, Mapping) else {})


def server_providers() -> list[str]:
    """The providers the server has credentials (or a configured base URL) for, sorted.

    Names only: keys and URLs never leave the server. A keyless local server (``ollama``,
    ``vllm``, ...) counts only when its base URL is configured explicitly; ``gateway`` never.
    """
    found = set()
    for name in PROVIDERS:
        if name not in _REFUSED and _usable(ModelRef(name, PROVIDERS[name], "model")):
            found.add(name)
    try:
        sections = load_credentials_file()
    except InvalidArgumentError:
        sections = {}
    for name, section in sections.items():
        if provider_spec(name) is None and isinstance(section, Mapping) and section.get("base_url"):
            found.add(name)
    return sorted(found)


def check_server_model(model: str) -> str:
    """``model`` if the server may call it, in its canonical spelling.

    Raises:
        InvalidArgumentError: A malformed URI, ``gateway:/``, or a provider without
            credentials configured on the server.
    """
    ref = parse_model_uri(model)
    name = ref.provider.name if ref.provider else ref.scheme
    if name in _REFUSED:
        raise InvalidArgumentError(f"Model {model!r}: {_REFUSED[name]}")
    if not _usable(ref):
        configured = ", ".join(server_providers()) or "none"
        raise InvalidArgumentError(
            f"Model {model!r}: the server has no credentials for provider {name!r} "
            f"(configured: {configured}). An administrator sets the provider's usual "
            f"environment variable (e.g. OPENAI_API_KEY) or a [{name}] table in the server's "
            f"{credentials_file().name}; a request cannot send keys or base URLs."
        )
    return model.strip()


# ---------------------------------------------------------------------- the judge


def build_draft_judge(draft: JudgeDraft) -> InstructionsJudge:
    """The judge a draft describes (model checked against the server's credentials).

    Raises:
        InvalidArgumentError: Bad name, instructions, variables, value type or model.
    """
    kind = (draft.feedback_value_type or "boolean").strip().lower()
    value_type: Any
    if kind == "categorical":
        labels = [c for c in dict.fromkeys(str(c).strip() for c in draft.categories) if c]
        if len(labels) < 2:
            raise InvalidArgumentError("a categorical judge needs at least two categories")
        value_type = Literal[tuple(labels)]
    elif kind in VALUE_TYPES:
        if draft.categories:
            raise InvalidArgumentError("categories are only for feedback_value_type=categorical")
        value_type = VALUE_TYPES[kind]
    else:
        raise InvalidArgumentError(
            f"feedback_value_type must be one of {', '.join([*VALUE_TYPES, 'categorical'])}, "
            f"got {draft.feedback_value_type!r}"
        )
    model = check_server_model(draft.model)
    return make_judge(
        name=draft.name,
        instructions=draft.instructions,
        model=model,
        feedback_value_type=value_type,
    )


def load_preview_traces(
    store: TraceStore, experiment_id: str, trace_ids: Sequence[str]
) -> list[Any]:
    """The traces (with spans and assessments), in the order asked.

    Raises:
        InvalidArgumentError: No trace, more than :data:`MAX_PREVIEW_TRACES`, or a repeat.
        NotFoundError: A trace that does not exist or belongs to another experiment.
    """
    if not trace_ids:
        raise InvalidArgumentError("trace_ids: choose at least one trace")
    if len(trace_ids) > MAX_PREVIEW_TRACES:
        raise InvalidArgumentError(
            f"trace_ids: at most {MAX_PREVIEW_TRACES} traces per preview, got {len(trace_ids)}"
        )
    if len(set(trace_ids)) != len(trace_ids):
        raise InvalidArgumentError("trace_ids: a trace is listed twice")
    for trace_id in trace_ids:
        try:
            owner = store.experiment_of_trace(trace_id)
        except NotFoundError:
            owner = None
        if owner != experiment_id:
            raise NotFoundError(f"Trace {trace_id!r} not found in experiment {experiment_id}")
    found = {str(t.info.trace_id): t for t in store.batch_get_traces(list(trace_ids))}
    missing = [t for t in trace_ids if t not in found]
    if missing:
        raise NotFoundError(f"Trace {missing[0]!r} not found in experiment {experiment_id}")
    return [found[t] for t in trace_ids]


def _human_label(trace: Any, name: str) -> dict[str, Any] | None:
    """The latest valid HUMAN feedback named ``name`` on ``trace``."""
    best: Assessment | None = None
    for a in trace.info.assessments or []:
        if (
            isinstance(a, Assessment)
            and a.kind == "feedback"
            and a.name == name
            and a.valid
            and a.error is None
            and a.source_type == AssessmentSourceType.HUMAN.value
            and a.value is not None
            and (best is None or a.create_time >= best.create_time)
        ):
            best = a
    return None if best is None else {"value": best.value, "source_id": best.source_id}


def _preview_text(value: Any, limit: int = 300) -> str | None:
    if value is None:
        return None
    from ardea.evaluation.scorers.trace_view import to_text

    text = to_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _from_feedback(row: PreviewRow, feedback: Feedback) -> None:
    if feedback.error is not None:
        err = feedback.error
        row.error = str(getattr(err, "error_message", None) or err)
        return
    row.value = feedback.value
    row.rationale = feedback.rationale
    meta = feedback.metadata or {}
    tokens = [meta.get(k) for k in ("ardea.judge.input_tokens", "ardea.judge.output_tokens")]
    if any(t is not None for t in tokens):
        row.tokens = sum(int(t) for t in tokens if t is not None)
    cost = meta.get("ardea.judge.cost_usd")
    row.cost = float(cost) if cost is not None else None


async def _judge_all(
    judge: InstructionsJudge, items: list[Any], rows: list[PreviewRow], deadline: float
) -> None:
    gate = asyncio.Semaphore(PREVIEW_CONCURRENCY)

    async def one(index: int) -> None:
        item, row = items[index], rows[index]
        async with gate:
            try:
                feedback = await judge.arun(
                    inputs=item.inputs,
                    outputs=item.outputs,
                    expectations=item.expectations or None,
                    trace=item.trace,
                )
            except Exception as exc:
                row.error = f"{type(exc).__name__}: {exc}"
                return
        _from_feedback(row, feedback)

    tasks = [asyncio.create_task(one(i)) for i in range(len(items)) if rows[i].error is None]
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
        for row in rows:
            if row.error is None and row.value is None and row.rationale is None:
                row.error = f"DeadlineExceeded: not judged within the preview's {deadline:g}s"


def _agreement(judge: InstructionsJudge, rows: list[PreviewRow]) -> dict[str, Any] | None:
    # Imported here: the statistics load numpy and scipy, which a server that never
    # previews a judge with labels should not hold (start-up time and memory).
    from ardea.evaluation.stats.agreement import judge_agreement

    labelled = [r for r in rows if r.human is not None]
    if not labelled:
        return None
    binary = judge.value_type is bool

    def norm(value: Any) -> Any:
        if value is None:
            return None
        if binary:
            word = _binary_word(value)
            return word if word is not None else value
        return value

    verdicts = [norm(r.value) for r in labelled]
    labels = [norm(r.human["value"]) for r in labelled if r.human is not None]
    try:
        answer: dict[str, Any] = judge_agreement(
            verdicts, labels, positive=True if binary and _two(verdicts, labels) else None
        ).to_dict()
    except InvalidArgumentError:
        answer = judge_agreement(verdicts, labels).to_dict()
    return answer


def _two(verdicts: list[Any], labels: list[Any]) -> bool:
    seen = {str(v) for v in [*verdicts, *labels] if v is not None}
    return seen == {"True", "False"}


async def preview_judge(
    judge: InstructionsJudge, traces: Sequence[Any], *, deadline: float = PREVIEW_DEADLINE
) -> dict[str, Any]:
    """Judge ``traces`` with ``judge`` (nothing stored): rows, agreement and totals.

    Every trace's prompt is rendered first: a template that cannot render (bad Jinja, a
    filter the sandbox forbids) is refused before any LLM call, while a trace that lacks a
    variable's value (no outputs, no session) is an error on its row.

    Raises:
        InvalidArgumentError: The template does not render.
    """
    items = [item_from_trace(t, i) for i, t in enumerate(traces)]
    rows = [
        PreviewRow(
            trace_id=str(t.info.trace_id),
            human=_human_label(t, judge.name),
            request_preview=_preview_text(item.inputs),
        )
        for t, item in zip(traces, items, strict=True)
    ]
    for item, row in zip(items, rows, strict=True):
        try:
            judge.messages(
                inputs=item.inputs,
                outputs=item.outputs,
                expectations=item.expectations or None,
                trace=item.trace,
            )
        except JudgeInputError as exc:
            row.error = str(exc)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"The instructions do not render: {exc}") from None
        except Exception as exc:  # a Jinja error is a template error, not a row's
            raise InvalidArgumentError(f"The instructions do not render: {exc}") from None
    await _judge_all(judge, items, rows, deadline)
    tokens = [r.tokens for r in rows if r.tokens is not None]
    costs = [r.cost for r in rows if r.cost is not None]
    return {
        "name": judge.name,
        "model": judge.model,
        "rows": [json_safe(r.to_dict()) for r in rows],
        "agreement": _agreement(judge, rows),
        "totals": {
            "judged": sum(1 for r in rows if r.error is None),
            "errors": sum(1 for r in rows if r.error is not None),
            "tokens": sum(tokens),
            "cost": sum(costs) if costs else None,
        },
    }
