"""The trace writer process: which databases get one, the frames on its pipes, and a recorder
writing through it into a real SQLite database (traces, usage roll-up, a crash, shutdown)."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.gateway.recorder import GatewayRecord, TraceRecorder
from ardea.gateway.trace_process import WriterSpec, read_frame, write_frame, writer_spec_for
from ardea.gateway.trace_writer import NICE
from ardea.store.backend import Backend


def _record(experiment_id: str, **kw: object) -> GatewayRecord:
    now = time.time_ns()
    values: dict[str, object] = dict(
        experiment_id=experiment_id, endpoint_id="e-1", endpoint="chat",
        request_type="unified/chat", caller="OpenAI", user="ada", user_id="1", key_id="7",
        provider="openai", model="gpt-4o-mini", start_ns=now, end_ns=now + 1_000_000,
        status=200, input_tokens=3, output_tokens=4, request={"messages": []},
        response=b'{"choices": [{"message": {"content": "hi"}}]}',
    )  # fmt: skip
    values.update(kw)
    return GatewayRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("uri", "shared"),
    [
        ("sqlite:////tmp/x/ardea.db", True),
        ("postgresql+psycopg://u:p@127.0.0.1/db", True),
        ("mysql://u:p@127.0.0.1/db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///file:x?mode=memory&cache=shared&uri=true", False),
        ("http://127.0.0.1:5000", False),
    ],
)
def test_only_a_database_another_process_can_open_gets_a_writer_process(
    uri: str, shared: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARDEA_GATEWAY_TRACE_WRITER", raising=False)
    spec = writer_spec_for(uri)
    assert (spec is not None) == shared
    if spec is not None:
        assert "p@" not in repr(spec)  # the password never shows in a log line
    monkeypatch.setenv("ARDEA_GATEWAY_TRACE_WRITER", "thread")
    assert writer_spec_for(uri) is None


def test_an_unknown_writer_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARDEA_GATEWAY_TRACE_WRITER", "fork")
    with pytest.raises(InvalidArgumentError, match="process' or 'thread"):
        writer_spec_for("sqlite:////tmp/x.db")


def test_frames_round_trip_and_a_cut_off_frame_reads_as_the_end() -> None:
    buf = io.BytesIO()
    write_frame(buf, WriterSpec("sqlite:////tmp/a.db"))
    write_frame(buf, [1, "two"])
    whole = buf.getvalue()
    stream = io.BytesIO(whole)
    assert read_frame(stream) == WriterSpec("sqlite:////tmp/a.db")
    assert read_frame(stream) == [1, "two"]
    assert read_frame(stream) is None
    assert read_frame(io.BytesIO(whole[:-3])) == WriterSpec("sqlite:////tmp/a.db")
    cut = io.BytesIO(whole[:-3])
    read_frame(cut)
    assert read_frame(cut) is None


def test_a_recorder_writes_traces_and_usage_through_the_writer_process(
    backend: Backend, experiment_id: str
) -> None:
    written: list[int] = []
    recorder = TraceRecorder(
        backend.traces,
        batch_size=4,
        linger_s=0.01,
        on_write=written.append,
        writer=WriterSpec(backend.uri),
    )
    for n in range(10):
        recorder.record(_record(experiment_id, input_tokens=n))
    assert recorder.flush(60)
    assert recorder.written == 10 and sum(written) == 10 and recorder.dropped == 0
    traces = backend.traces.search_traces([experiment_id])
    assert len(traces) == 10
    trace = backend.traces.get_trace(traces[0].trace_id)
    # The provider's bytes were parsed by the writer, not on the request path.
    assert trace.spans[0].attributes["mlflow.spanOutputs"]["choices"][0]["message"] == {
        "content": "hi"
    }
    now = int(time.time())
    usage = backend.gateway_usage.query(
        "default", now - 3600, now + 3600, bucket="hour", group_by="endpoint"
    )
    assert sum(point.measures.requests for point in usage) == 10
    sink = recorder._sink
    assert sink is not None and sink._proc is not None
    child = sink._proc
    # It yields the CPU to the request path: a lower priority than this process.
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(19, ours + NICE)
    recorder.close(30)
    assert child.poll() == 0  # the end of its input: it wrote what it held and exited


def test_traces_the_writer_process_stores_are_sampled_for_online_scoring(
    backend: Backend, experiment_id: str
) -> None:
    # The sampling happens in the trace store's write, so the writer process (another
    # process, its own connections) enqueues the work rows with the traces themselves.
    judge = {
        "name": "polite",
        "instructions_judge_pydantic_data": {"instructions": "{{ outputs }}?"},
    }
    backend.scorers.register_scorer(experiment_id, "polite", json.dumps(judge))
    backend.scorers.upsert_online_scoring_config(experiment_id, "polite", 1.0)
    recorder = TraceRecorder(
        backend.traces, batch_size=4, linger_s=0.01, writer=WriterSpec(backend.uri, usage=False)
    )
    for _ in range(6):
        recorder.record(_record(experiment_id))
    assert recorder.flush(60) and recorder.written == 6
    recorder.close(30)
    assert backend.online_scoring.counts(experiment_id)["pending"] == 6
    ids = {info.trace_id for info in backend.traces.search_traces([experiment_id])}
    work = backend.online_scoring.claim(
        "w", kinds=["judge"], limit=10, lease_seconds=5, experiment_ids=[experiment_id]
    )
    assert {w.key.trace_id for w in work} == ids


def test_a_dead_writer_counts_its_batches_lost_and_a_new_one_takes_over(
    backend: Backend, experiment_id: str
) -> None:
    drops: list[tuple[str, int]] = []
    recorder = TraceRecorder(
        backend.traces,
        batch_size=2,
        linger_s=0.01,
        on_drop=lambda reason, n: drops.append((reason, n)),
        writer=WriterSpec(backend.uri, usage=False),
    )
    recorder.record(_record(experiment_id))
    assert recorder.flush(60)
    sink = recorder._sink
    assert sink is not None and sink._proc is not None
    first = sink._proc
    first.kill()
    first.wait()
    time.sleep(1.1)  # past the restart back-off
    for _ in range(3):
        recorder.record(_record(experiment_id))
    assert recorder.flush(60)
    assert sink._proc is not None and sink._proc.pid not in (first.pid, os.getpid())
    assert recorder.written + sum(n for r, n in drops if r == "writer_down") == 4
    assert recorder.written >= 2
    recorder.close(30)


def test_a_writer_that_cannot_open_its_database_drops_and_counts(tmp_path: Path) -> None:
    drops: list[tuple[str, int]] = []
    (tmp_path / "not-a-db").write_bytes(b"not sqlite at all" * 100)
    recorder = TraceRecorder(
        backend_placeholder(),
        batch_size=2,
        linger_s=0.01,
        on_drop=lambda reason, n: drops.append((reason, n)),
        writer=WriterSpec(f"sqlite:///{tmp_path / 'not-a-db'}", usage=False),
    )
    recorder.record(_record("0"))
    assert recorder.flush(60)
    assert recorder.written == 0 and drops == [("writer_down", 1)]
    recorder.close(10)


def backend_placeholder() -> object:
    """A store the recorder never touches (the writer process opens its own)."""
    return object()
