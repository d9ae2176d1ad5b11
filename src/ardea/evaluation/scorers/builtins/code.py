"""Deterministic scorers (no LLM): matching, structure, similarity and budgets.

MLflow's ``RegexMatch``, ``PIIDetection`` and ``ResponseLength`` answer ``"yes"``/``"no"`` as
MLflow does; Ardea's checks answer booleans and its similarities a float in [0, 1]. Text
metrics use ``rapidfuzz`` (Levenshtein, ROUGE-L on its LCS), ``sacrebleu`` (BLEU, chrF),
``jsonschema`` and ``py3langid``, each imported on first use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Feedback
from ardea.evaluation.scorers import trace_view
from ardea.evaluation.scorers._builtin_classes import register_builtin
from ardea.evaluation.scorers.base import Scorer

__all__ = [
    "Bleu",
    "Chrf",
    "Contains",
    "CostBudget",
    "EmbeddingSimilarity",
    "ExactMatch",
    "ExpectedToolsCalled",
    "JsonSchema",
    "JsonValidity",
    "Language",
    "Latency",
    "LevenshteinSimilarity",
    "NoErrorSpans",
    "PIIDetection",
    "RegexMatch",
    "ResponseLength",
    "RougeL",
    "TokenBudget",
]


def text_of(value: Any) -> str:
    """A scorer's view of an output as text (strings as they are, the rest as JSON)."""
    return trace_view.to_text(value) if value is not None else ""


def _verdict(scorer: Scorer, ok: bool, rationale: str, yes_no: bool = False) -> Feedback:
    value: Any = ("yes" if ok else "no") if yes_no else ok
    return Feedback(name=scorer.name, value=value, rationale=rationale)


def _expected(expectations: Mapping[str, Any] | None, who: str) -> str:
    expected = (expectations or {}).get("expected_response")
    if expected is None:
        raise InvalidArgumentError(f"{who} needs expectations 'expected_response'")
    return text_of(expected)


class CodeScorer(Scorer):
    """A deterministic built-in (no LLM)."""


@register_builtin
class RegexMatch(CodeScorer):
    r"""Whether the output matches a regular expression (``"yes"``/``"no"``, as MLflow).

    Args:
        pattern: The regex.
        match_type: ``search`` (anywhere, default) or ``fullmatch`` (the whole output).
        case_insensitive: Ignore case.

    Example::

        RegexMatch(pattern=r"\\d{4}-\\d{2}-\\d{2}")(outputs="Due 2026-01-31")  # "yes"
    """

    name = "regex_match"
    description = "Whether the output matches a regular expression pattern."
    init_fields = ("pattern", "match_type", "case_insensitive")
    pattern: str = ""
    match_type: str = "search"
    case_insensitive: bool = False

    def __init__(self, name: str | None = None, **fields: Any) -> None:
        super().__init__(name, **fields)
        if not isinstance(self.pattern, str) or not self.pattern:
            raise InvalidArgumentError("RegexMatch needs pattern= (a regular expression)")
        if self.match_type not in ("search", "fullmatch"):
            raise InvalidArgumentError("match_type must be 'search' or 'fullmatch' (as MLflow)")
        try:
            self._regex = re.compile(self.pattern, re.IGNORECASE if self.case_insensitive else 0)
        except re.error as exc:
            raise InvalidArgumentError(f"Invalid regex pattern {self.pattern!r}: {exc}") from None

    def __call__(self, *, outputs: Any = None) -> Feedback:
        """``"yes"`` when the output matches."""
        found = getattr(self._regex, self.match_type)(text_of(outputs)) is not None
        word = "matches" if found else "does not match"
        return _verdict(self, found, f"Output {word} pattern {self.pattern!r}", yes_no=True)


_PII = {
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "phone": re.compile(
        r"(?<![\w])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}\b"
    ),
    "ssn": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "credit_card": re.compile(r"\b(?:\d[ -]?){13,19}\b"),
    "ip_address": re.compile(
        r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"
    ),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),
}


def _luhn(digits: str) -> bool:
    nums = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(nums) <= 19:
        return False
    total = 0
    for i, n in enumerate(reversed(nums)):
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find_pii(text: str, types: Sequence[str] | None = None) -> list[str]:
    """The PII kinds found in ``text`` (credit cards must pass the Luhn check)."""
    found = []
    for kind, regex in _PII.items():
        if types is not None and kind not in types:
            continue
        matches = regex.findall(text)
        if kind == "credit_card":
            matches = [m for m in matches if _luhn(m)]
        if matches:
            found.append(kind)
    return found


@register_builtin
class PIIDetection(CodeScorer):
    """Whether the output is free of PII (``"yes"`` = none found, as MLflow).

    Detects e-mail addresses, phone numbers, US SSNs, credit card numbers (Luhn-checked),
    IP addresses and IBANs with regular expressions.

    Args:
        pii_types: Limit to these kinds (``email``, ``phone``, ``ssn``, ``credit_card``,
            ``ip_address``, ``iban``).

    Example::

        PIIDetection()(outputs="Write to ann@example.com")  # "no", rationale "Detected PII: email"
    """

    name = "pii_detection"
    description = "Whether the output is free of personally identifiable information."
    init_fields = ("pii_types",)
    pii_types: list[str] | None = None

    def __init__(self, name: str | None = None, **fields: Any) -> None:
        super().__init__(name, **fields)
        unknown = set(self.pii_types or ()) - set(_PII)
        if unknown:
            raise InvalidArgumentError(f"Unknown pii_types {sorted(unknown)}; use {sorted(_PII)}")

    def __call__(self, *, outputs: Any = None) -> Feedback:
        """``"yes"`` when no PII is found."""
        found = find_pii(text_of(outputs), self.pii_types)
        why = f"Detected PII: {', '.join(found)}" if found else "No PII detected"
        return _verdict(self, not found, why, yes_no=True)


@register_builtin
class ResponseLength(CodeScorer):
    """Whether the output's length is within bounds (``"yes"``/``"no"``, as MLflow).

    Args:
        min_length: Shortest accepted.
        max_length: Longest accepted.
        unit: ``chars`` (default) or ``words``.

    Example::

        ResponseLength(max_length=280)(outputs="short")  # "yes"
    """

    name = "response_length"
    description = "Whether the output length is within the given bounds."
    init_fields = ("min_length", "max_length", "unit")
    min_length: int | None = None
    max_length: int | None = None
    unit: str = "chars"

    def __init__(self, name: str | None = None, **fields: Any) -> None:
        super().__init__(name, **fields)
        if self.unit not in ("chars", "words"):
            raise InvalidArgumentError("unit must be 'chars' or 'words'")
        if self.min_length is None and self.max_length is None:
            raise InvalidArgumentError("ResponseLength needs min_length or max_length")

    def __call__(self, *, outputs: Any = None) -> Feedback:
        """``"yes"`` when the length is within ``[min_length, max_length]``."""
        text = text_of(outputs)
        size = len(text.split()) if self.unit == "words" else len(text)
        if self.min_length is not None and size < self.min_length:
            why = f"Output length ({size} {self.unit}) is below the minimum ({self.min_length})"
            return _verdict(self, False, why, yes_no=True)
        if self.max_length is not None and size > self.max_length:
            why = f"Output length ({size} {self.unit}) exceeds the maximum ({self.max_length})"
            return _verdict(self, False, why, yes_no=True)
        return _verdict(self, True, f"Output length ({size} {self.unit}) is within bounds", True)


@register_builtin
class ExactMatch(CodeScorer):
    """Whether the output equals ``expected_response`` (trimmed; case-sensitive by default).

    Example::

        ExactMatch()(outputs="Paris", expectations={"expected_response": "Paris"})  # True
    """

    name = "exact_match"
    description = "Whether the output equals the expected response."
    init_fields = ("case_sensitive",)
    case_sensitive: bool = True

    def __call__(self, *, outputs: Any = None, expectations: Any = None) -> bool:
        """True when equal."""
        got, want = text_of(outputs).strip(), _expected(expectations, "ExactMatch").strip()
        if not self.case_sensitive:
            got, want = got.casefold(), want.casefold()
        return got == want


@register_builtin
class Contains(CodeScorer):
    """Whether the output contains every one of some strings.

    The strings: ``substrings=``, else ``expectations["expected_substrings"]``, else the
    ``expected_response``.

    Example::

        Contains(substrings=["Paris"])(outputs="It is Paris.")  # True
    """

    name = "contains"
    description = "Whether the output contains the expected strings."
    init_fields = ("substrings", "case_sensitive")
    substrings: list[str] | None = None
    case_sensitive: bool = False

    def __call__(self, *, outputs: Any = None, expectations: Any = None) -> Feedback:
        """True when every string is in the output; the rationale names those missing."""
        wanted = self.substrings or (expectations or {}).get("expected_substrings")
        if not wanted:
            wanted = [_expected(expectations, "Contains")]
        if isinstance(wanted, str):
            wanted = [wanted]
        text = text_of(outputs)
        if not self.case_sensitive:
            text = text.casefold()
        missing = [w for w in wanted if (w if self.case_sensitive else w.casefold()) not in text]
        why = f"Missing: {missing}" if missing else "All expected strings are present"
        return _verdict(self, not missing, why)


def _json_of(outputs: Any) -> Any:
    if isinstance(outputs, str):
        return json.loads(outputs)
    return outputs


@register_builtin
class JsonValidity(CodeScorer):
    """Whether the output is valid JSON (a string that parses, or a JSON value).

    Example::

        JsonValidity()(outputs='{"a": 1}')  # True
    """

    name = "json_validity"
    description = "Whether the output is valid JSON."

    def __call__(self, *, outputs: Any = None) -> Feedback:
        """True when it parses."""
        try:
            _json_of(outputs) if isinstance(outputs, str) else json.dumps(outputs)
        except (ValueError, TypeError) as exc:
            return _verdict(self, False, f"Not valid JSON: {exc}")
        return _verdict(self, True, "Valid JSON")


@register_builtin
class JsonSchema(CodeScorer):
    """Whether the output (JSON text or value) matches a JSON schema (``jsonschema``).

    Args:
        schema: The JSON schema; else ``expectations["json_schema"]``.

    Example::

        JsonSchema(schema={"type": "object", "required": ["id"]})(outputs='{"id": 3}')  # True
    """

    name = "json_schema"
    description = "Whether the output matches a JSON schema."
    init_fields = ("schema",)
    schema: dict[str, Any] | None = None

    def __call__(self, *, outputs: Any = None, expectations: Any = None) -> Feedback:
        """True when valid; the rationale names the first violation."""
        import jsonschema

        schema = self.schema or (expectations or {}).get("json_schema")
        if not isinstance(schema, Mapping):
            raise InvalidArgumentError("JsonSchema needs schema= or expectations 'json_schema'")
        try:
            value = _json_of(outputs)
        except ValueError as exc:
            return _verdict(self, False, f"Not valid JSON: {exc}")
        validator = jsonschema.validators.validator_for(schema)(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            return _verdict(self, False, f"At {where}: {error.message}"[:1000])
        return _verdict(self, True, "Matches the schema")


class _Similarity(CodeScorer):
    """A text similarity against ``expected_response``, in [0, 1]."""

    default_aggregations: ClassVar[list[Any] | None] = ["mean"]

    def similarity(self, output: str, expected: str) -> float:
        """The score."""
        raise NotImplementedError

    def __call__(self, *, outputs: Any = None, expectations: Any = None) -> float:
        """The similarity of the output to the expected response."""
        return round(
            self.similarity(text_of(outputs), _expected(expectations, type(self).__name__)), 6
        )


@register_builtin
class LevenshteinSimilarity(_Similarity):
    """1 - normalised Levenshtein distance to ``expected_response`` (``rapidfuzz``).

    Example::

        LevenshteinSimilarity()(outputs="kitten", expectations={"expected_response": "sitting"})
    """

    name = "levenshtein_similarity"
    description = "Normalised Levenshtein similarity to the expected response (0-1)."

    def similarity(self, output: str, expected: str) -> float:
        """``rapidfuzz.distance.Levenshtein.normalized_similarity``."""
        from rapidfuzz.distance import Levenshtein

        return float(Levenshtein.normalized_similarity(output, expected))


@register_builtin
class Bleu(_Similarity):
    """Sentence BLEU against ``expected_response`` (``sacrebleu``), scaled to [0, 1].

    Example::

        ref = {"expected_response": "the cat sat on the mat"}
        Bleu()(outputs="the cat sat on the mat", expectations=ref)  # 1.0
    """

    name = "bleu"
    description = "Sentence BLEU against the expected response (sacrebleu, 0-1)."

    def similarity(self, output: str, expected: str) -> float:
        """``sacrebleu.sentence_bleu(output, [expected]).score / 100``."""
        import sacrebleu

        return float(sacrebleu.sentence_bleu(output, [expected]).score) / 100.0


@register_builtin
class Chrf(_Similarity):
    """Sentence chrF against ``expected_response`` (``sacrebleu``), scaled to [0, 1].

    Example::

        Chrf()(outputs="colour", expectations={"expected_response": "color"})
    """

    name = "chrf"
    description = "Sentence chrF against the expected response (sacrebleu, 0-1)."

    def similarity(self, output: str, expected: str) -> float:
        """``sacrebleu.sentence_chrf(output, [expected]).score / 100``."""
        import sacrebleu

        return float(sacrebleu.sentence_chrf(output, [expected]).score) / 100.0


_TOKEN = re.compile(r"\w+", re.UNICODE)


@register_builtin
class RougeL(_Similarity):
    """ROUGE-L F1 against ``expected_response``.

    The longest common subsequence of lower-cased word tokens (``rapidfuzz``'s LCS).

    Example::

        RougeL()(outputs="the cat was found under the bed",
                 expectations={"expected_response": "the cat was under the bed"})  # ~0.923
    """

    name = "rouge_l"
    description = "ROUGE-L F1 (longest common subsequence of words) against the expected response."

    def similarity(self, output: str, expected: str) -> float:
        """F1 of LCS precision and recall over word tokens."""
        from rapidfuzz.distance import LCSseq

        got = _TOKEN.findall(output.lower())
        want = _TOKEN.findall(expected.lower())
        if not got or not want:
            return 0.0
        lcs = LCSseq.similarity(got, want)
        if lcs == 0:
            return 0.0
        precision, recall = lcs / len(got), lcs / len(want)
        return 2 * precision * recall / (precision + recall)


@register_builtin
class EmbeddingSimilarity(_Similarity):
    """Cosine similarity of the output's and ``expected_response``'s embeddings (``ardea.llm``).

    Args:
        model: Embedding model URI (default ``openai:/text-embedding-3-small``).

    Example::

        EmbeddingSimilarity()(outputs="Hi there", expectations={"expected_response": "Hello"})
    """

    name = "embedding_similarity"
    description = "Cosine similarity of output and expected-response embeddings."
    calls_llm: ClassVar[bool] = True
    init_fields = ("model",)
    model: str = "openai:/text-embedding-3-small"

    def similarity(self, output: str, expected: str) -> float:
        """Cosine of the two vectors (one embeddings call)."""
        import math

        from ardea.llm import get_client

        a, b = get_client(self.model).embed([output, expected]).vectors
        dot = sum(x * y for x, y in zip(a, b, strict=False))
        norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
        return dot / norm if norm else 0.0

    def cache_key(self, *, outputs: Any = None, expectations: Any = None, **_: Any) -> str | None:
        """SHA-256 of (model, output, expected response)."""
        import hashlib

        expected = (expectations or {}).get("expected_response")
        if expected is None:
            return None
        key = json.dumps([self.name, self.model, text_of(outputs), text_of(expected)])
        return hashlib.sha256(key.encode()).hexdigest()


def _trace_needed(trace: Any, who: str) -> Any:
    if trace is None:
        raise InvalidArgumentError(f"{who} needs a trace")
    return trace


def _duration_s(trace: Any) -> float | None:
    info = getattr(trace, "info", None)
    ms = getattr(info, "execution_duration", None)
    if ms is None:
        ms = getattr(info, "execution_time_ms", None)
    if ms is not None:
        return float(ms) / 1000.0
    root = trace_view.root_span(trace)
    if root is not None and root.end_ns:
        return (root.end_ns - root.start_ns) / 1e9
    return None


@register_builtin
class Latency(CodeScorer):
    """The trace's duration in seconds; with ``max_seconds``, whether it is within it.

    Example::

        Latency(max_seconds=2.0)(trace=trace)  # True when the trace took <= 2 s
    """

    name = "latency"
    description = "The trace's duration in seconds (or whether it is within max_seconds)."
    init_fields = ("max_seconds",)
    max_seconds: float | None = None

    def __call__(self, *, trace: Any = None) -> Any:
        """Seconds, or a pass/fail against ``max_seconds``."""
        seconds = _duration_s(_trace_needed(trace, "Latency"))
        if seconds is None:
            raise InvalidArgumentError("Latency: the trace has no duration (still in progress?)")
        if self.max_seconds is None:
            return round(seconds, 6)
        ok = seconds <= self.max_seconds
        return _verdict(self, ok, f"{seconds:.3f} s (limit {self.max_seconds} s)")


def _usage_of(trace: Any) -> tuple[int, float | None]:
    """(total tokens, total cost) of a trace: its info, else the sum over its LLM spans."""
    info = getattr(trace, "info", None)
    usage = getattr(info, "token_usage", None)
    total_tokens = None
    if usage is not None:
        total_tokens = getattr(usage, "total_tokens", None)
        if total_tokens is None and isinstance(usage, Mapping):
            total_tokens = usage.get("total_tokens")
    cost = getattr(info, "cost", None)
    if total_tokens is not None and cost is not None:
        return int(total_tokens), float(cost)
    tokens, spent, priced = 0, 0.0, False
    for span in trace_view.spans_of(trace):
        raw = trace_view._decoded(span.attributes.get("mlflow.chat.tokenUsage"))
        if isinstance(raw, Mapping):
            tokens += int(
                raw.get("total_tokens")
                or (raw.get("input_tokens") or 0) + (raw.get("output_tokens") or 0)
            )
        raw_cost = trace_view._decoded(span.attributes.get("mlflow.llm.cost"))
        if isinstance(raw_cost, Mapping) and isinstance(raw_cost.get("total_cost"), (int, float)):
            spent += float(raw_cost["total_cost"])
            priced = True
    return (
        int(total_tokens) if total_tokens is not None else tokens,
        float(cost) if cost is not None else (spent if priced else None),
    )


@register_builtin
class TokenBudget(CodeScorer):
    """Whether the trace's LLM calls used at most ``max_tokens`` tokens in total.

    Example::

        TokenBudget(max_tokens=4000)(trace=trace)
    """

    name = "token_budget"
    description = "Whether the trace used at most max_tokens tokens."
    init_fields = ("max_tokens",)
    max_tokens: int | None = None

    def __init__(self, name: str | None = None, **fields: Any) -> None:
        super().__init__(name, **fields)
        if not isinstance(self.max_tokens, int) or self.max_tokens < 0:
            raise InvalidArgumentError("TokenBudget needs max_tokens= (an integer >= 0)")

    def __call__(self, *, trace: Any = None) -> Feedback:
        """True within the budget."""
        tokens, _ = _usage_of(_trace_needed(trace, "TokenBudget"))
        assert self.max_tokens is not None
        return _verdict(
            self, tokens <= self.max_tokens, f"{tokens} tokens (budget {self.max_tokens})"
        )


@register_builtin
class CostBudget(CodeScorer):
    """Whether the trace's LLM calls cost at most ``max_cost_usd`` (from span costs).

    Example::

        CostBudget(max_cost_usd=0.01)(trace=trace)
    """

    name = "cost_budget"
    description = "Whether the trace cost at most max_cost_usd."
    init_fields = ("max_cost_usd",)
    max_cost_usd: float | None = None

    def __init__(self, name: str | None = None, **fields: Any) -> None:
        super().__init__(name, **fields)
        if not isinstance(self.max_cost_usd, (int, float)) or self.max_cost_usd < 0:
            raise InvalidArgumentError("CostBudget needs max_cost_usd= (a number >= 0)")

    def __call__(self, *, trace: Any = None) -> Feedback:
        """True within the budget; an error when no span of the trace is priced."""
        _, cost = _usage_of(_trace_needed(trace, "CostBudget"))
        if cost is None:
            raise InvalidArgumentError("CostBudget: no span of the trace has a cost")
        assert self.max_cost_usd is not None
        return _verdict(
            self, cost <= self.max_cost_usd, f"${cost:.6f} (budget ${self.max_cost_usd})"
        )


@register_builtin
class Language(CodeScorer):
    """The output's language (ISO 639-1, ``py3langid``), or whether it is the expected one.

    The expected language: ``expected=``, else ``expectations["expected_language"]``.

    Example::

        Language(expected="fr")(outputs="Bonjour, comment allez-vous ?")  # True
    """

    name = "language"
    description = "The output's language, or whether it is the expected one."
    init_fields = ("expected",)
    expected: str | None = None

    def __call__(self, *, outputs: Any = None, expectations: Any = None) -> Any:
        """The detected code, or True/False against the expected language."""
        import py3langid

        text = text_of(outputs)
        if not text.strip():
            raise InvalidArgumentError("Language: the output is empty")
        detected = str(py3langid.classify(text)[0])
        expected = self.expected or (expectations or {}).get("expected_language")
        if not expected:
            return detected
        ok = detected == str(expected).lower()
        return _verdict(self, ok, f"Detected {detected!r}, expected {expected!r}")


@register_builtin
class NoErrorSpans(CodeScorer):
    """Whether no span of the trace ended in error.

    Example::

        NoErrorSpans()(trace=trace)
    """

    name = "no_error_spans"
    description = "Whether every span of the trace succeeded."

    def __call__(self, *, trace: Any = None) -> Feedback:
        """True when no span has status ERROR; the rationale names those that did."""
        failed = [
            s.name
            for s in trace_view.spans_of(_trace_needed(trace, "NoErrorSpans"))
            if s.status.upper().endswith("ERROR")
        ]
        why = f"Failed spans: {failed[:20]}" if failed else "No span failed"
        return _verdict(self, not failed, why)


@register_builtin
class ExpectedToolsCalled(CodeScorer):
    """Whether every tool in ``expected_tool_calls`` was called (in order with ``ordered``).

    Example::

        expected = {"expected_tool_calls": [{"name": "search"}]}
        ExpectedToolsCalled()(trace=trace, expectations=expected)
    """

    name = "expected_tools_called"
    description = "Whether the expected tools were called."
    init_fields = ("ordered",)
    ordered: bool = False

    def __call__(self, *, trace: Any = None, expectations: Any = None) -> Feedback:
        """True when the expected tool names were all called."""
        expected = (expectations or {}).get("expected_tool_calls")
        if not expected:
            raise InvalidArgumentError(
                "ExpectedToolsCalled needs expectations 'expected_tool_calls'"
            )
        wanted = [e.get("name") if isinstance(e, Mapping) else str(e) for e in expected]
        called = [
            c["name"] for c in trace_view.tool_calls(_trace_needed(trace, "ExpectedToolsCalled"))
        ]
        if self.ordered:
            it = iter(called)
            ok = all(any(c == w for c in it) for w in wanted)
        else:
            ok = all(w in called for w in wanted)
        return _verdict(self, ok, f"Called {called}; expected {wanted}")
