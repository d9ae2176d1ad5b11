"""LLM judges: :class:`Judge` (the machinery) and :func:`make_judge` (MLflow's custom judge).

A judge renders its prompt (Jinja2 in the prompt registry's sandbox), asks the model through
:mod:`ardea.llm` for a JSON object ``{"result": <value>, "rationale": "..."}`` whose
``result`` matches the JSON schema of its ``feedback_value_type``, and answers a
:class:`~ardea.entities.Feedback` with source ``LLM_JUDGE`` (id = the model URI), the
rationale, and the call's usage and cost in its metadata (``ardea.judge.*`` keys).

The model: ``model=`` (``<provider>:/<model>``, as MLflow), else ``ARDEA_JUDGE_MODEL``, else
MLflow's ``MLFLOW_GENAI_JUDGE_DEFAULT_MODEL``, else ``openai:/gpt-4.1-mini``.

Inputs longer than ``max_input_chars`` (200,000 characters per field by default) are refused
with an error feedback rather than sent; a ``{{ trace }}`` is sent as the compact view of
:mod:`ardea.evaluation.scorers.trace_view`, never whole.

The judge cache's key (:meth:`Judge.cache_key`) is computed without rendering the prompt: the
SHA-256 of the judge's identity (class, name, key format, prompt version, model, inference
parameters, answer schema, system prompt, template, input limit) and of the values the
template is filled with (:meth:`Judge.prompt_values`). The prompt is rendered only when the
cache does not answer, once, for the call.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.entities import AssessmentSource, Feedback
from ardea.entities.assessment import AssessmentSourceType
from ardea.evaluation.scorers import trace_view
from ardea.evaluation.scorers.base import ARGUMENTS, Scorer
from ardea.evaluation.scorers.value_types import YES_NO, schema_of

if TYPE_CHECKING:
    from ardea.llm import ChatResult, LLMClient

__all__ = [
    "CACHE_KEY_FORMAT",
    "DEFAULT_JUDGE_MODEL",
    "MAX_INPUT_CHARS",
    "TEMPLATE_VARIABLES",
    "InstructionsJudge",
    "Judge",
    "JudgeInputError",
    "default_judge_model",
    "make_judge",
]

DEFAULT_JUDGE_MODEL = "openai:/gpt-4.1-mini"
"""The judge model when neither ``model=`` nor an environment variable names one."""

MAX_INPUT_CHARS = 200_000
"""Characters of one rendered field (inputs, outputs, ...) a judge accepts by default."""

CACHE_KEY_FORMAT = "2"
"""Version of :meth:`Judge.cache_key`'s layout (keys of another format simply miss)."""

TEMPLATE_VARIABLES = ("inputs", "outputs", "expectations", "trace", "conversation")
"""The variables ``make_judge`` instructions may use (MLflow's reserved ones)."""

_SYSTEM = (
    "You are a careful, impartial evaluator of the outputs of an AI application. Judge only "
    "what the task asks, using only the material given; do not reward length or style unless "
    'asked to. Reply with a single JSON object with the fields {fields}: "result" is your '
    'verdict (it must match the schema you are given) and "rationale" explains it briefly, '
    "pointing at the evidence.{first}"
)


class JudgeInputError(InvalidArgumentError):
    """A judge cannot run on this row: a required input is missing or too large."""


def default_judge_model() -> str:
    """``ARDEA_JUDGE_MODEL``, else ``MLFLOW_GENAI_JUDGE_DEFAULT_MODEL``, else the default."""
    for var in ("ARDEA_JUDGE_MODEL", "MLFLOW_GENAI_JUDGE_DEFAULT_MODEL"):
        value = os.environ.get(var, "").strip()
        if value:
            return value
    return DEFAULT_JUDGE_MODEL


def _canonical(value: Any) -> bytes:
    """``value`` as canonical JSON bytes (keys sorted; what is not JSON written with ``str``)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()


def _values_bytes(values: Mapping[str, Any]) -> bytes:
    """The prompt values of one row as JSON bytes (names sorted; values are text)."""
    if all(type(v) is str for v in values.values()):
        import orjson

        try:
            return orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a lone surrogate
            pass
    return _canonical(values)


class Judge(Scorer):
    """A scorer that asks an LLM: subclasses say what to render (:meth:`messages`).

    Args:
        name: Assessment name.
        model: Judge model URI (``openai:/gpt-4.1-mini``, ``anthropic:/...``,
            ``gateway:/<endpoint>``); default: see :func:`default_judge_model`.
        description: What it judges.
        aggregations: As :class:`~ardea.evaluation.scorers.base.Scorer`.
        pass_if: As :class:`~ardea.evaluation.scorers.base.Scorer`.
        timeout: Seconds one judgement may take, retries included.
        inference_params: ``temperature``, ``max_tokens``, ``stop``; other keys are sent in
            the request body as they are (e.g. ``top_p``, ``seed``).
        base_url: Overrides the provider's base URL.
        extra_headers: Headers sent with each request (never serialized nor logged).
        max_input_chars: Longest rendered field accepted.
    """

    calls_llm: ClassVar[bool] = True
    is_judge: ClassVar[bool] = True
    prompt_version: ClassVar[str] = "1"
    """Bumped when a built-in's prompt changes (part of the cache key)."""
    value_type: Any = YES_NO
    generate_rationale_first: bool = False

    def __init__(
        self,
        name: str | None = None,
        *,
        model: str | None = None,
        description: str | None = None,
        aggregations: Sequence[Any] | None = None,
        pass_if: Any = None,
        timeout: float | None = None,
        inference_params: Mapping[str, Any] | None = None,
        base_url: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_input_chars: int = MAX_INPUT_CHARS,
        **fields: Any,
    ) -> None:
        super().__init__(
            name,
            description=description,
            aggregations=aggregations,
            pass_if=pass_if,
            timeout=timeout,
            **fields,
        )
        if model is not None and (not isinstance(model, str) or not model.strip()):
            raise InvalidArgumentError("model must be a model URI such as 'openai:/gpt-4.1-mini'")
        if model is not None:
            from ardea.llm import parse_model_uri

            parse_model_uri(model)
        if inference_params is not None and not isinstance(inference_params, Mapping):
            raise InvalidArgumentError("inference_params must be a dict")
        if base_url is not None and not isinstance(base_url, str):
            raise InvalidArgumentError(f"base_url must be a string, got {type(base_url).__name__}")
        if extra_headers is not None and (
            not isinstance(extra_headers, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in extra_headers.items())
        ):
            raise InvalidArgumentError("extra_headers keys and values must all be strings")
        self._model = model
        self.inference_params = dict(inference_params) if inference_params else None
        self.base_url = base_url
        self._extra_headers = dict(extra_headers) if extra_headers else None
        self.max_input_chars = max_input_chars
        self._client: LLMClient | None = None
        self._lock = threading.Lock()
        self._identity: tuple[Any, Any] | None = None
        self._schema_memo: tuple[Any, dict[str, Any], dict[str, Any]] | None = None

    # ------------------------------------------------------------------ what is sent

    @property
    def model(self) -> str:
        """The judge model URI (``model=`` or the default)."""
        return self._model or default_judge_model()

    @property
    def parameters(self) -> frozenset[str]:
        """A judge takes every scorer argument."""
        return frozenset(ARGUMENTS)

    extra_serialized: ClassVar[tuple[str, ...]] = ("model", "inference_params")

    def serialized_fields(self) -> dict[str, Any]:
        """Model, inference params, required columns and the built-in's own arguments."""
        return {
            "required_columns": list(getattr(self, "needs", ("inputs", "outputs"))),
            "inference_params": self.inference_params,
            "extra_headers": None,
            "model": self._model,
            **super().serialized_fields(),
        }

    def response_schema(self) -> dict[str, Any]:
        """The JSON schema of the answer: ``{result, rationale}``."""
        result = schema_of(self.value_type)
        props = {"result": result, "rationale": {"type": "string"}}
        if self.generate_rationale_first:
            props = {"rationale": props["rationale"], "result": result}
        return {
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        }

    def _sent_schema(self) -> dict[str, Any]:
        """:meth:`response_schema` as one object per judge, rebuilt only when it would change.

        ``ardea.llm`` remembers the schemas it checked and the validators it built by object
        (see :mod:`ardea.llm.structured`): a fresh dict per call would make it copy, encode and
        check the schema and build a ``jsonschema`` validator on every judge call.
        """
        signature = (repr(self.value_type), self.generate_rationale_first)
        memo = getattr(self, "_schema_memo", None)
        if memo is not None and memo[0] == signature and memo[1] == memo[2]:
            return memo[1]  # type: ignore[no-any-return]
        schema = self.response_schema()
        self._schema_memo = (signature, schema, self.response_schema())
        return schema

    def system_prompt(self) -> str:
        """The system message: how to answer."""
        if self.generate_rationale_first:
            return _SYSTEM.format(
                fields='"rationale" then "result"',
                first=" Write the rationale before deciding the result.",
            )
        return _SYSTEM.format(fields='"result" and "rationale"', first="")

    def field(self, name: str, value: Any) -> str:
        """``value`` as text for the prompt, refused when longer than ``max_input_chars``.

        Raises:
            JudgeInputError: Too long.
        """
        text = trace_view.to_text(value)
        if len(text) > self.max_input_chars:
            raise JudgeInputError(
                f"{self.name}: {name} is {len(text):,} characters, more than this judge's "
                f"limit of {self.max_input_chars:,} (max_input_chars); nothing was sent"
            )
        return text

    def user_prompt(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> str:
        """The rendered task (subclasses define it).

        Raises:
            JudgeInputError: A needed input is missing or too large.
        """
        raise NotImplementedError

    def _row(
        self,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> dict[str, Any]:
        """The row as the prompt sees it: checked, inputs/outputs from the trace if missing.

        Raises:
            JudgeInputError: ``expectations`` is not a dictionary.
        """
        if expectations is not None and not isinstance(expectations, Mapping):
            raise JudgeInputError(
                f"'expectations' must be a dictionary, got {type(expectations).__name__}"
            )
        if trace is not None and (inputs is None or outputs is None):
            root = trace_view.root_span(trace)
            if root is not None:
                inputs = root.inputs if inputs is None else inputs
                outputs = root.outputs if outputs is None else outputs
        return {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": dict(expectations) if expectations else None,
            "trace": trace,
            "session": session,
        }

    def messages(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> list[dict[str, str]]:
        """The chat messages sent for this row (system + rendered task).

        Raises:
            JudgeInputError: A needed input is missing or too large.
        """
        task = self.user_prompt(**self._row(inputs, outputs, expectations, trace, session))
        return [
            {"role": "system", "content": self.system_prompt()},
            {"role": "user", "content": task},
        ]

    def prompt_template(self) -> Any:
        """The template the task is rendered from (part of the cache key); None if none."""
        return None

    def prompt_values(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> Mapping[str, Any] | None:
        """What :meth:`prompt_template` is filled with for this row, without rendering it.

        The cache key hashes these with the template, so they must determine the task's text
        (a value the template does not use is left out). None (the default, for judges that
        render their task another way): the key hashes the rendered messages instead.

        Raises:
            JudgeInputError: A needed input is missing or too large.
        """
        return None

    def _identity_hash(self) -> Any:
        """A SHA-256 object fed with the judge's identity (memoized while it is unchanged)."""
        model = self.model
        template = self.prompt_template()
        signature = (
            model,
            self.name,
            self.prompt_version,
            repr(self.inference_params),
            self.max_input_chars,
            repr(self.value_type),
            self.generate_rationale_first,
            template,
        )
        memo = self._identity
        if memo is not None and memo[0] == signature:
            return memo[1].copy()
        identity = _canonical(
            {
                "format": CACHE_KEY_FORMAT,
                "judge": f"{type(self).__module__}.{type(self).__qualname__}",
                "name": self.name,
                "version": self.prompt_version,
                "model": model,
                "params": self.inference_params,
                "schema": self.response_schema(),
                "system": self.system_prompt(),
                "template": template,
                "max_input_chars": self.max_input_chars,
            }
        )
        digest = hashlib.sha256(identity)
        digest.update(b"\0")
        self._identity = (signature, digest)
        return digest.copy()

    def cache_key(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> str | None:
        """The content address of this judgement; None when the row cannot be rendered.

        SHA-256 of the judge's identity (:data:`CACHE_KEY_FORMAT`, class, name, prompt
        version, model, inference params, answer schema, system prompt, template, input limit)
        and of the row's :meth:`prompt_values` (the prompt is not rendered; judges without
        prompt values hash their rendered messages).
        """
        try:
            row = self._row(inputs, outputs, expectations, trace, session)
            values = self.prompt_values(**row)
            if values is None:
                material = _canonical(
                    [
                        {"role": "system", "content": self.system_prompt()},
                        {"role": "user", "content": self.user_prompt(**row)},
                    ]
                )
            else:
                material = _values_bytes(values)
        except Exception:
            return None
        digest = self._identity_hash()
        digest.update(material)
        return str(digest.hexdigest())

    # ------------------------------------------------------------------ calling

    def client(self) -> LLMClient:
        """The LLM client of this judge (built once, on first use)."""
        with self._lock:
            if self._client is None:
                from ardea.llm import get_client

                self._client = get_client(
                    self.model, base_url=self.base_url, extra_headers=self._extra_headers
                )
            return self._client

    def _call_kwargs(self) -> dict[str, Any]:
        params = dict(self.inference_params or {})
        kwargs: dict[str, Any] = {
            "response_schema": self._sent_schema(),
            "schema_name": "judgement",
        }
        for key in ("temperature", "max_tokens", "stop"):
            if key in params:
                kwargs[key] = params.pop(key)
        if params:
            kwargs["extra_body"] = params
        if self.timeout:
            kwargs["timeout"] = self.timeout
        return kwargs

    def _feedback(self, result: ChatResult) -> Feedback:
        parsed = result.parsed
        if not isinstance(parsed, Mapping) or "result" not in parsed:
            raise JudgeInputError(
                f"{self.name}: the judge's answer has no 'result': {result.text!r:.200}"
            )
        metadata = {
            "ardea.judge.model": result.model or self.model,
            "ardea.judge.input_tokens": result.usage.input_tokens,
            "ardea.judge.output_tokens": result.usage.output_tokens,
        }
        if result.cost is not None:
            metadata["ardea.judge.cost_usd"] = f"{result.cost.total_cost:.8f}"
        rationale = parsed.get("rationale")
        return Feedback(
            name=self.name,
            value=self.postprocess(parsed["result"]),
            rationale=rationale if isinstance(rationale, str) else None,
            source=AssessmentSource(AssessmentSourceType.LLM_JUDGE.value, self.model),
            metadata=metadata,
        )

    def postprocess(self, value: Any) -> Any:
        """The feedback value of the model's ``result`` (as is; subclasses may map it)."""
        return value

    def shortcut(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> Feedback | None:
        """A verdict reached without the model (e.g. exact equality), or None to ask it."""
        return None

    def __call__(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> Feedback:
        """Judge one row (or one session): one LLM call, one feedback.

        Raises:
            JudgeInputError: Missing or oversized inputs.
            LLMError: The call failed (``run_scorer`` turns both into an error feedback).
        """
        row = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "session": session,
        }
        early = self.shortcut(**row)
        if early is not None:
            return early
        messages = self.messages(**row)
        return self._feedback(self.client().chat(messages, **self._call_kwargs()))

    async def arun(
        self,
        *,
        inputs: Any = None,
        outputs: Any = None,
        expectations: dict[str, Any] | None = None,
        trace: Any = None,
        session: list[Any] | None = None,
    ) -> Feedback:
        """:meth:`__call__` for coroutines (the LLM call is awaited, cancellable)."""
        row = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "session": session,
        }
        early = self.shortcut(**row)
        if early is not None:
            return early
        messages = self.messages(**row)
        return self._feedback(await self.client().achat(messages, **self._call_kwargs()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r})"


class InstructionsJudge(Judge):
    """A judge written as instructions with template variables (what :func:`make_judge` makes)."""

    def __init__(
        self,
        name: str,
        instructions: str,
        *,
        feedback_value_type: Any = None,
        generate_rationale_first: bool = False,
        include_timing_in_conversation: bool = False,
        **options: Any,
    ) -> None:
        from ardea.prompts._template import template_variables

        if not name or not isinstance(name, str):
            raise InvalidArgumentError("name must be a non-empty string")
        if not instructions or not isinstance(instructions, str):
            raise InvalidArgumentError("instructions must be a non-empty string")
        variables = template_variables(instructions)
        custom = variables - set(TEMPLATE_VARIABLES)
        if custom:
            raise InvalidArgumentError(
                f"Instructions template contains unsupported variables: {sorted(custom)}. "
                f"Only these are allowed: {', '.join(TEMPLATE_VARIABLES)}"
            )
        if not variables:
            raise InvalidArgumentError(
                "Instructions template must contain at least one variable (e.g., {{ inputs }}, "
                "{{ outputs }}, {{ trace }}, {{ expectations }}, or {{ conversation }})."
            )
        if "conversation" in variables and variables - {"conversation", "expectations"}:
            raise InvalidArgumentError(
                "Instructions template must not contain any template variables other than "
                "{{ expectations }} if {{ conversation }} is provided."
            )
        self.instructions = instructions
        self._jinja: tuple[str, bool] | None = None
        self.variables = frozenset(variables)
        self.value_type = str if feedback_value_type is None else feedback_value_type
        schema_of(self.value_type)  # validates the type
        self.generate_rationale_first = generate_rationale_first
        self.include_timing_in_conversation = bool(include_timing_in_conversation)
        if "aggregations" not in options or options["aggregations"] is None:
            options["aggregations"] = ["mean"] if self.value_type in (bool, int, float) else None
        super().__init__(name, **options)

    @property
    def session_level(self) -> bool:  # type: ignore[override]
        """Whether the instructions read ``{{ conversation }}``."""
        return "conversation" in self.variables

    def prompt_template(self) -> Any:
        """The instructions."""
        return self.instructions

    def _is_jinja(self) -> bool:
        """Whether the instructions use Jinja2 control flow (memoized per instructions)."""
        memo = self._jinja
        if memo is None or memo[0] is not self.instructions:
            from ardea.prompts._template import is_jinja

            memo = self._jinja = (self.instructions, is_jinja(self.instructions))
        return memo[1]

    def _values(self, given: Mapping[str, Any], for_key: bool) -> dict[str, Any]:
        jinja = self._is_jinja()
        values: dict[str, Any] = {}
        for var in sorted(self.variables):
            value = given[var]
            if value is None or (var == "conversation" and not value):
                what = "session" if var == "conversation" else var
                raise JudgeInputError(
                    f"{self.name}: the instructions use {{{{ {var} }}}} but no {what} was given"
                )
            if var == "trace":
                values[var] = trace_view.render_trace(value)
            elif var == "conversation":
                values[var] = trace_view.conversation(
                    value, include_timing=self.include_timing_in_conversation
                )
            elif jinja and isinstance(value, (Mapping, list)):
                self.field(var, value)
                # Jinja2 reads the object itself: its repr tells list from tuple, 1 from
                # 1.0 and keeps the key order (a repr with an address just never hits).
                values[var] = f"{type(value).__qualname__}:{value!r}" if for_key else value
            else:
                values[var] = self.field(var, value)
        return values

    def prompt_values(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> dict[str, str]:
        """The text of each variable the instructions use.

        A container a Jinja2 template reads is given by its type and ``repr``.

        Raises:
            JudgeInputError: A used variable is missing or too large.
        """
        given = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "conversation": session,
        }
        return self._values(given, for_key=True)

    def user_prompt(
        self,
        *,
        inputs: Any,
        outputs: Any,
        expectations: dict[str, Any] | None,
        trace: Any,
        session: list[Any] | None,
    ) -> str:
        """The instructions with the row's values filled in (sandboxed Jinja2)."""
        from ardea.prompts._template import render

        given = {
            "inputs": inputs,
            "outputs": outputs,
            "expectations": expectations,
            "trace": trace,
            "conversation": session,
        }
        rendered = render(self.instructions, self._values(given, for_key=False))
        return str(rendered)

    alignment: Any = None
    """The :class:`~ardea.evaluation.alignment.AlignmentResult` of the :meth:`align` call that
    returned this judge (None otherwise)."""

    def align(self, traces: Any, optimizer: Any = None, **options: Any) -> InstructionsJudge:
        """MLflow's ``Judge.align(traces, optimizer)``: align this judge with human labels.

        Runs :func:`ardea.align` (``options`` are its keywords: ``experiment_id``,
        ``register``, ``holdout_fraction``, ...). Returns the aligned judge when the held-out
        check promoted it, else this judge; either way its ``alignment`` attribute holds the
        whole outcome (before/after agreement, the reason, the registered version).

        ``ardea.evaluation.alignment`` (which builds on the scorers) hands ``align`` down as a
        hook when it is imported; ``ardea.judges`` and ``ardea.scorers`` import it.

        Raises:
            FailedPreconditionError: ``ardea.evaluation.alignment`` was never imported.
        """
        from ardea.evaluation.scorers.base import CODEC

        run = CODEC.get("align")
        if run is None:
            from ardea._core.errors import FailedPreconditionError

            raise FailedPreconditionError(
                "Judge alignment is not loaded: import ardea.judges (or ardea.evaluation."
                "alignment) first, or call ardea.align(judge, traces)"
            )
        result = run(self, traces, "memalign" if optimizer is None else optimizer, **options)
        aligned: InstructionsJudge = result.judge
        aligned.alignment = result
        return aligned

    def instructions_judge_data(self) -> dict[str, Any]:
        """MLflow's ``instructions_judge_pydantic_data``."""
        data: dict[str, Any] = {
            "instructions": self.instructions,
            "model": self.model,
            "feedback_value_type": {"title": "Result", **schema_of(self.value_type)},
        }
        if self.inference_params:
            data["inference_params"] = self.inference_params
        return data


def make_judge(
    name: str,
    instructions: str,
    model: str | None = None,
    description: str | None = None,
    feedback_value_type: Any = None,
    inference_params: dict[str, Any] | None = None,
    base_url: str | None = None,
    extra_headers: dict[str, str] | None = None,
    include_timing_in_conversation: bool = False,
    generate_rationale_first: bool = False,
    session_level: str | None = None,
    model_api: Any = None,
    *,
    aggregations: Sequence[Any] | None = None,
    timeout: float | None = None,
    max_input_chars: int = MAX_INPUT_CHARS,
) -> InstructionsJudge:
    """A custom LLM judge from instructions (MLflow's ``make_judge``).

    ``instructions`` use MLflow's template variables ``{{ inputs }}``, ``{{ outputs }}``,
    ``{{ expectations }}``, ``{{ trace }}``, ``{{ conversation }}`` (at least one; no others;
    ``{{ conversation }}`` only with ``{{ expectations }}``). Jinja2 control flow
    (``{% for %}``) renders in the prompt registry's sandbox.

    Args:
        name: Assessment name.
        instructions: The task, with template variables.
        model: Judge model URI; default from ``ARDEA_JUDGE_MODEL`` /
            ``MLFLOW_GENAI_JUDGE_DEFAULT_MODEL``, else ``openai:/gpt-4.1-mini``.
        description: What it judges.
        feedback_value_type: ``bool``, ``int``, ``float``, ``str`` (default), ``Literal[...]``,
            ``Optional[T]``, ``dict[str, T]``, ``list[T]``.
        inference_params: ``temperature``, ``max_tokens``, ... sent with each call.
        base_url: Overrides the provider's base URL.
        extra_headers: Extra request headers (never serialized).
        include_timing_in_conversation: With ``{{ conversation }}``: each answer is followed
            by its turn's duration and slowest spans (as MLflow).
        generate_rationale_first: Ask for the rationale before the result.
        session_level: Accepted for MLflow compatibility: ``{{ conversation }}`` makes the
            judge session-level (``evaluate`` runs it once per session); MLflow's
            session-hierarchy levels are not supported.
        model_api: Accepted for MLflow compatibility (no effect).
        aggregations: Default ``["mean"]`` for bool/int/float results.
        timeout: Seconds one judgement may take.
        max_input_chars: Longest rendered field sent.

    Raises:
        InvalidArgumentError: Invalid name, instructions, variables, model or value type.

    Example::

        judge = make_judge(
            name="polite",
            instructions="Is this reply to {{ inputs }} polite? {{ outputs }}",
            feedback_value_type=bool,
        )
        judge(inputs={"q": "hi"}, outputs="Hello!")  # Feedback(value=True, rationale=...)
    """
    del session_level, model_api
    return InstructionsJudge(
        name,
        instructions,
        feedback_value_type=feedback_value_type,
        generate_rationale_first=generate_rationale_first,
        include_timing_in_conversation=include_timing_in_conversation,
        model=model,
        description=description,
        inference_params=inference_params,
        base_url=base_url,
        extra_headers=extra_headers,
        aggregations=aggregations,
        timeout=timeout,
        max_input_chars=max_input_chars,
    )
