"""Key, name and id patterns match the whole text: a trailing newline is never accepted.

Python's ``$`` also matches before a final ``"\\n"``, so ``re.match(r"^[\\w]+$", "key\\n")``
succeeds. Every pattern below is used with ``fullmatch`` (issue 11, Part C, item 5).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.api.mlflow_v3_common import parse_duration_ms, parse_timestamp_ms
from ardea.entities import Metric, Param, RunTag
from ardea.entities.webhook import validate_name as validate_webhook_name
from ardea.prompts._uri import check_prompt_name
from ardea.server.routers.trace_spans import parse_span_id
from ardea.services.ingest_otlp import parse_otlp_json
from ardea.store import validation as v
from ardea.store.registry_validation import validate_alias, validate_settable_alias

_CHECKS: dict[str, tuple[Callable[[str], object], str]] = {
    "key": (v.validate_key, "bad key"),
    "metric key": (lambda k: v.validate_metric(Metric(k, 1.0, 0)), "acc"),
    "param key": (lambda k: v.validate_param(Param(k, "v")), "lr"),
    "tag key": (lambda k: v.validate_run_tag(RunTag(k, "v")), "t"),
    "experiment tag key": (lambda k: v.validate_experiment_tag(k, "v"), "t"),
    "experiment id": (v.validate_experiment_id, "12"),
    "alias": (validate_alias, "champion"),
    "settable alias": (validate_settable_alias, "champion"),
    "prompt name": (check_prompt_name, "my-prompt"),
    "webhook name": (validate_webhook_name, "hook-1"),
    "span id": (parse_span_id, "00112233445566ff"),
    "timestamp": (lambda t: parse_timestamp_ms(t, "request_time"), "2026-01-02T03:04:05.678Z"),
    "duration": (lambda t: parse_duration_ms(t, "execution_duration"), "0.077s"),
}


@pytest.mark.parametrize("what", sorted(_CHECKS))
def test_accepts_the_plain_value(what: str) -> None:
    check, good = _CHECKS[what]
    check(good)


@pytest.mark.parametrize("suffix", ["\n", "\r\n", "\n\n"])
@pytest.mark.parametrize("what", sorted(_CHECKS))
def test_refuses_a_trailing_newline(what: str, suffix: str) -> None:
    check, good = _CHECKS[what]
    with pytest.raises(InvalidArgumentError):
        check(good + suffix)


def test_batch_refuses_a_metric_key_with_a_trailing_newline() -> None:
    with pytest.raises(InvalidArgumentError, match=r"metrics\[1\]\.name"):
        v.validate_batch([Metric("a", 1.0, 0), Metric("bad key\n", 1.0, 0)], [], [])


def test_reserved_version_alias_with_a_newline_is_still_refused() -> None:
    with pytest.raises(InvalidArgumentError):
        validate_settable_alias("v1\n")


def test_otlp_json_int_text_is_matched_whole() -> None:
    body = (
        b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0123456789abcdef0123456789abcdef",'
        b'"spanId":"0123456789abcdef","name":"s","startTimeUnixNano":"5\\n"}]}]}]}'
    )
    with pytest.raises(InvalidArgumentError, match="startTimeUnixNano"):
        parse_otlp_json(body)


def test_no_python_pattern_in_src_ends_with_a_dollar() -> None:
    """A guard: new patterns use ``fullmatch`` (or ``\\Z``), not ``$``."""
    import re
    from pathlib import Path

    import ardea

    src = Path(ardea.__file__).parent
    literal = re.compile(r"""re\.(?:compile|match|search|fullmatch)\(\s*r?(["'])(?:(?!\1).)*\$\1""")
    found = [
        f"{path.relative_to(src)}:{number}"
        for path in sorted(src.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert found == []
