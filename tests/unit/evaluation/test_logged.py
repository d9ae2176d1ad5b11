"""``ardea.evaluation.logged``: which feedback is a row's score, over a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ardea.entities import AssessmentSource, Expectation, Feedback, TraceInfo
from ardea.entities.run import RunTag
from ardea.evaluation.logged import compare_logged, load_evaluation, summarize_logged
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend

T0 = 1_700_000_000_000


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "artifacts")
    )
    yield b
    b.close()


def _trace(
    b: Backend, exp: str, n: int, run_id: str, question: int | None = None, **metadata: str
) -> str:
    trace_id = f"tr-{n:032x}"
    meta = {"mlflow.sourceRun": run_id, **metadata}
    b.traces.start_trace(
        TraceInfo(
            trace_id=trace_id,
            experiment_id=exp,
            request_time=T0 + n,
            state="OK",
            request_preview=f'{{"q": "question {n if question is None else question}"}}',
            trace_metadata=meta,
        )
    )
    b.traces.link_traces_to_run([trace_id], run_id)
    return trace_id


def _feedback(b: Backend, trace_id: str, name: str, value: object, **kw: object) -> str:
    made = b.traces.create_assessment(Feedback(name=name, value=value, trace_id=trace_id, **kw))  # type: ignore[arg-type]
    return made.assessment_id


def test_scores_are_the_runs_own_latest_valid_feedback(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("logged")
    tag = RunTag("mlflow.runType", "genai_evaluate")
    run = backend.tracking.create_run(exp, tags=[tag], run_name="ev").info.run_id
    other = backend.tracking.create_run(exp, run_name="other").info.run_id
    trace = _trace(backend, exp, 1, run, **{"ardea.eval.datasetRecordId": "dr-1"})
    mine = {"mlflow.assessment.sourceRunId": run}
    judge = AssessmentSource("LLM_JUDGE", "openai:/m")
    _feedback(backend, trace, "ok", False, metadata=mine, source=judge, create_time_ms=T0)
    _feedback(backend, trace, "ok", True, metadata=mine, source=judge, create_time_ms=T0 + 5)
    _feedback(backend, trace, "ok", False, metadata={"mlflow.assessment.sourceRunId": other})
    _feedback(backend, trace, "human", "yes", source=AssessmentSource("HUMAN", "ann"))
    _feedback(backend, trace, "broken", None, metadata=mine, error="judge timed out")
    backend.traces.create_assessment(Expectation(name="expected", value="x", trace_id=trace))

    ev = load_evaluation(backend.tracking, backend.traces, run)
    assert (ev.is_evaluation, ev.run_name, len(ev.rows)) == (True, "ev", 1)
    row = ev.rows[0]
    assert row.record_id == "dr-1"
    assert set(row.scores) == {"ok", "broken"}
    assert row.scores["ok"].value is True and row.scores["ok"].source_type == "LLM_JUDGE"
    assert row.scores["broken"].value is None and row.scores["broken"].error == "judge timed out"
    assert row.expectations == {"expected": "x"}
    summary = summarize_logged(ev)
    broken = next(s for s in summary["scorers"] if s["scorer"] == "broken")
    assert (broken["n_missing"], broken["errors"]) == (1, 1)


def test_hand_logged_scores_count_without_a_source_run(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("by-hand")
    run = backend.tracking.create_run(exp).info.run_id
    trace = _trace(backend, exp, 2, run)
    _feedback(backend, trace, "ok", True)
    _feedback(backend, trace, "human", "no", source=AssessmentSource("HUMAN", "ann"))
    row = load_evaluation(backend.tracking, backend.traces, run).rows[0]
    assert set(row.scores) == {"ok"}
    assert row.record_id is None


def test_compare_pairs_by_inputs_and_names_unpaired_rows(backend: Backend) -> None:
    exp = backend.tracking.create_experiment("pairs")
    a = backend.tracking.create_run(exp).info.run_id
    b = backend.tracking.create_run(exp).info.run_id
    for n in range(4):
        _feedback(backend, _trace(backend, exp, n, a), "ok", True)
        _feedback(backend, _trace(backend, exp, 10 + n, b, question=n), "ok", n % 2 == 0)
    _feedback(backend, _trace(backend, exp, 99, b), "ok", True)  # a question A never saw
    result = compare_logged(
        load_evaluation(backend.tracking, backend.traces, a),
        load_evaluation(backend.tracking, backend.traces, b),
    )
    assert result["n_pairs"] == 4
    ok = result["scorers"][0]
    assert len(ok["regressed_rows"]) == 2 and ok["regressed_rows"][0].startswith("inputs:")
    rows = {r["key"]: r for r in result["rows"]}
    first = rows[ok["regressed_rows"][0]]
    assert first["baseline_trace_id"] is not None and first["candidate_trace_id"] is not None
    (only_b,) = result["unpaired_b"]
    assert rows[only_b] == {
        "key": only_b,
        "baseline_trace_id": None,
        "candidate_trace_id": f"tr-{99:032x}",
    }
