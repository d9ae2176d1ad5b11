"""``ardea issues``: propose (steps on stderr, the largest made issues with --create-top) and
list, on a data folder seeded with failing judge verdicts of three failure modes."""

from __future__ import annotations

import json
from collections.abc import Callable

from click.testing import Result

from ardea.client import ArdeaClient
from ardea.entities import Feedback, Span
from ardea.entities.assessment import AssessmentSource
from fixtures.issue_rationales import rationales

Ardea = Callable[..., Result]


def _seed(data: str) -> str:
    client = ArdeaClient(data)
    try:
        exp = client.create_experiment("bot")
        judge = AssessmentSource("LLM_JUDGE", "openai:/gpt-4o-mini")
        for n, (_, text) in enumerate(rationales(24, seed=4)):
            start = (1_700_000_000_000 + n) * 1_000_000
            trace_id = f"tr-{n:032x}"
            root = Span(
                trace_id=trace_id,
                span_id=f"{n + 1:016x}",
                parent_span_id=None,
                name="qa",
                span_type="CHAIN",
                status_code="OK",
                start_time_ns=start,
                end_time_ns=start + 1000,
                attributes={},
            )
            client.backend.traces.log_spans(exp, [root])
            verdict = Feedback(name="correct", value=False, rationale=text, source=judge)
            client.log_assessment(trace_id, verdict)
        return exp
    finally:
        client.close()


def test_propose_create_and_list(ardea: Ardea, data: str) -> None:
    exp = _seed(data)
    result = ardea("issues", "propose", "-x", exp, "--create-top", "1", "--output", "json")
    assert result.exit_code == 0, result.output
    assert "reading…" in result.stderr and "clustering…" in result.stderr
    assert "24 failing verdicts (tfidf-svd embedding)" in result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and sum(r["size"] for r in rows) == 24
    assert rows[0]["issue_id"].startswith("iss-") and "issue_id" not in rows[1]
    listed = ardea("issues", "list", "-x", exp, "--status", "pending", "--output", "json")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == [
        {
            "issue_id": rows[0]["issue_id"],
            "status": "pending",
            "traces": rows[0]["traces"],
            "name": rows[0]["name"],
        }
    ]


def test_bad_experiment(ardea: Ardea) -> None:
    result = ardea("issues", "propose", "-x", "987")
    assert result.exit_code != 0
