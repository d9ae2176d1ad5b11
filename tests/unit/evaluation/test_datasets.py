"""The SDK's managed datasets (``ardea.evaluation.datasets``) on a local SQLite store: create,
merge (dicts, DataFrame, traces, files with a progress bar), read, versions, diff, pin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ardea._core.errors import NotFoundError
from ardea.client import ArdeaClient
from ardea.entities import Span, Trace, TraceInfo
from ardea.entities.assessment import Assessment
from ardea.evaluation import datasets


@pytest.fixture
def uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ardea.db'}"


def test_create_merge_read_and_version(uri: str) -> None:
    ds = datasets.create_dataset("qa", "0", {"team": "x"}, tracking_uri=uri)
    assert ds.version == 1 and ds.experiment_ids == ["0"] and ds.tags == {"team": "x"}
    ds.merge_records([{"inputs": {"q": "a"}, "expectations": {"e": 1}}, {"inputs": {"q": "b"}}])
    assert ds.version == 2
    df = ds.to_df()
    assert sorted(df["inputs"].map(lambda i: i["q"])) == ["a", "b"]
    assert set(df["source_type"]) == {"HUMAN", "CODE"}
    ds.merge_records([{"inputs": {"q": "a"}, "expectations": {"e": 2}}])
    change = ds.diff(2)
    assert [(c.after.inputs, c.fields) for c in change.changed if c.after] == [
        ({"q": "a"}, ("expectations",))
    ]
    assert [v.version for v in ds.versions()] == [3, 2, 1]
    assert len(ds.to_df(version=1)) == 0
    assert datasets.get_dataset(name="qa", tracking_uri=uri).dataset_id == ds.dataset_id
    assert [d.dataset_id for d in datasets.search_datasets(tracking_uri=uri)] == [ds.dataset_id]
    ds.set_tags({"env": "prod"}).delete_tag("team")
    assert ds.tags == {"env": "prod"} and ds.version == 5
    datasets.delete_dataset(ds.dataset_id, tracking_uri=uri)
    with pytest.raises(NotFoundError):
        datasets.get_dataset(ds.dataset_id, tracking_uri=uri)


def test_merge_a_dataframe_and_batches(uri: str) -> None:
    pd = pytest.importorskip("pandas")
    ds = datasets.create_dataset("df", tracking_uri=uri)
    frame = pd.DataFrame([{"inputs": {"i": i}, "expectations": {"sq": i * i}} for i in range(25)])
    ds.merge_records(frame, batch_size=10)
    assert len(ds.records()) == 25 and ds.version == 4  # three batches, three versions


def test_merge_from_traces(uri: str) -> None:
    root = Span(
        trace_id="tr-1",
        span_id="a" * 16,
        parent_span_id=None,
        name="root",
        start_time_ns=1,
        end_time_ns=2,
        attributes={"mlflow.spanInputs": '{"q": "hi"}', "mlflow.spanOutputs": '"hello"'},
    )
    expectation = Assessment("a-1", "tr-1", name="answer", kind="expectation", value="hello")
    info = TraceInfo(trace_id="tr-1", experiment_id="0", request_time=1)
    info.assessments.append(expectation)
    ds = datasets.create_dataset("traces", tracking_uri=uri)
    ds.merge_records([Trace(info=info, spans=[root])])
    (record,) = ds.records()
    assert record.inputs == {"q": "hi"} and record.outputs == "hello"
    assert record.expectations == {"answer": "hello"}
    assert record.source_type == "TRACE" and record.source_id == "tr-1"


def test_merge_a_file_shows_progress(
    uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"q": i}) + "\n" for i in range(2500)), encoding="utf-8")
    monkeypatch.setenv("ARDEA_PROGRESS", "1")
    ds = datasets.create_dataset("file", tracking_uri=uri).merge_file(str(path))
    assert ds.refresh().meta.profile == '{"num_records":2500}' and ds.version == 4
    assert "records from" in capsys.readouterr().err


def test_pin_a_run_to_a_version(uri: str) -> None:
    client = ArdeaClient(uri)
    run = client.backend.tracking.create_run("0", "me", 1, [], "eval")
    ds = datasets.create_dataset("pinned", tracking_uri=uri)
    ds.merge_records([{"inputs": {"q": 1}}])
    ds.pin(run.info.run_id, tracking_uri=uri)
    got = client.backend.tracking.get_run(run.info.run_id)
    assert got.data.tags["ardea.dataset.version"] == "2"
    assert got.data.tags["ardea.dataset.digest"] == ds.digest
    (used,) = got.inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest) == ("pinned", ds.digest)
