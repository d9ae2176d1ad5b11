"""``ardea.get_trace`` / ``ardea.search_traces`` on an embedded store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import ardea
from ardea.tracing import provider

pytest.importorskip("ardea.store.sql.traces.store")


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[str]:
    provider.reset()
    ardea.set_tracking_uri(str(tmp_path / "data"))
    yield ardea.get_tracking_uri()
    provider.reset()
    ardea.set_tracking_uri(None)


def test_get_and_search_traces(embedded: str) -> None:
    exp = ardea.set_experiment("search-me")

    @ardea.trace(span_type="CHAIN")
    def answer(q: str, env: str) -> str:
        ardea.update_current_trace(tags={"env": env})
        return q[::-1]

    for i in range(3):
        answer(f"q{i}", "prod" if i else "dev")
    with ardea.start_run() as run:
        answer("in-run", "prod")
    last = ardea.get_last_active_trace_id()

    trace = ardea.get_trace(last)  # flushes pending spans first
    assert trace.info.experiment_id == exp.experiment_id
    assert [s.name for s in trace.spans] == ["answer"]
    assert trace.spans[0].outputs == "nur-ni"

    prod = ardea.search_traces(filter_string="tags.env = 'prod'", return_type="list")
    assert len(prod) == 3
    assert all(t.spans for t in prod)
    assert {t.info.tags["env"] for t in prod} == {"prod"}
    in_run = ardea.search_traces(run_id=run.info.run_id, return_type="list", include_spans=False)
    assert [t.info.trace_id for t in in_run] == [last]
    assert in_run[0].spans == []
    assert len(ardea.search_traces(max_results=2, return_type="list")) == 2

    frame = ardea.search_traces(experiment_ids=[exp.experiment_id])
    assert len(frame) == 4
    assert {"trace_id", "state", "request_preview", "tags", "spans"} <= set(frame.columns)
    assert set(frame["state"]) == {"OK"}


def test_bad_arguments_are_invalid(embedded: str) -> None:
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.search_traces(return_type="csv")  # type: ignore[arg-type]
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.search_traces(max_results=0)
    with pytest.raises(ardea.InvalidArgumentError):
        ardea.search_traces(filter_string="nonsense ===", return_type="list")


def test_get_unknown_trace_is_not_found(embedded: str) -> None:
    with pytest.raises(ardea.NotFoundError):
        ardea.get_trace("tr-" + "0" * 32)
