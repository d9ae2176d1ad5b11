"""NUL characters are invalid input on every backend (issue 11, Part C, item 1).

PostgreSQL can neither store nor compare a NUL (U+0000): its driver raised DataError, a 500
that MLflow clients retry for minutes, while SQLite and MySQL stored the NUL as is. The
stores' shared validation (``ardea.store.validation.check_no_nul``) now refuses it the same
way everywhere: InvalidArgumentError (400 INVALID_PARAMETER_VALUE over REST), and nothing is
stored or changed. The registry's own checks are in ``test_registry_store.py``.

Two deliberate exceptions, the same on every backend: trace previews (copies of span
content) keep NUL as U+FFFD, as span content always has; an assessment's value is JSON and
round-trips with the NUL escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ardea._core.errors import InvalidArgumentError
from ardea.entities import (
    Assessment,
    Dataset,
    DatasetInput,
    Metric,
    ModelOutput,
    Param,
    RunTag,
    TraceInfo,
)
from ardea.store.backend import Backend

NUL = "a\x00b"
TRACE = "tr-" + "1" * 32


def _snapshot(backend: Backend, exp: str, run_id: str, model_id: str) -> dict[str, Any]:
    tracking = backend.tracking
    run = tracking.get_run(run_id)
    return {
        "experiments": sorted(
            (e.experiment_id, e.name, e.artifact_location, tuple(sorted(e.tags.items())))
            for e in tracking.search_experiments(view_type="ALL")  # type: ignore[arg-type]
        ),
        "runs": sorted(
            (r.info.run_id, r.info.run_name, r.info.status)
            for r in tracking.search_runs([exp, "0"], run_view_type="ALL")  # type: ignore[arg-type]
        ),
        "params": run.data.params,
        "tags": run.data.tags,
        "metrics": run.data.metric_values,
        "inputs": len(run.inputs.dataset_inputs),
        "model": tracking.get_logged_model(model_id).tags,
        "models": len(tracking.search_logged_models([exp])),
        "trace": backend.traces.get_trace_info(TRACE).tags,
        "traces": len(backend.traces.search_traces([exp])),
    }


def _tracking_calls(
    backend: Backend, exp: str, run: str, model: str
) -> dict[str, Callable[[], Any]]:
    t = backend.tracking
    ds = Dataset("ds", "d", "code", "src")
    return {
        "experiment name": lambda: t.create_experiment(NUL),
        "experiment artifact_location": lambda: t.create_experiment("e2", "/tmp/" + NUL),
        "experiment tag value": lambda: t.create_experiment("e3", tags=[("k", NUL)]),
        "experiment tag key": lambda: t.create_experiment("e4", tags=[(NUL, "v")]),
        "experiment by name": lambda: t.get_experiment_by_name(NUL),
        "rename experiment": lambda: t.rename_experiment(exp, NUL),
        "set experiment tag": lambda: t.set_experiment_tag(exp, "k", NUL),
        "delete experiment tag": lambda: t.delete_experiment_tag(exp, NUL),
        "run name": lambda: t.create_run(exp, run_name=NUL),
        "run user": lambda: t.create_run(exp, user_id=NUL),
        "run tag": lambda: t.create_run(exp, tags=[RunTag("k", NUL)]),
        "get run": lambda: t.get_run(NUL),
        "rename run": lambda: t.update_run_info(run, run_name=NUL),
        "update run id": lambda: t.update_run_info(NUL, status="FINISHED"),
        "delete run id": lambda: t.delete_run(NUL),
        "restore run id": lambda: t.restore_run(NUL),
        "param value": lambda: t.log_param(run, Param("p", NUL)),
        "param key": lambda: t.log_param(run, Param(NUL, "v")),
        "tag value": lambda: t.set_tag(run, RunTag("t", NUL)),
        "batch run id": lambda: t.log_batch(NUL, params=[Param("p", "v")]),
        "batch tag": lambda: t.log_batch(run, tags=[RunTag("ok", "v"), RunTag("t", NUL)]),
        "metric key": lambda: t.log_metric(run, Metric(NUL, 1.0, 1, 0)),
        "metric dataset name": lambda: t.log_batch(
            run, metrics=[Metric("m", 1.0, 1, 0, dataset_name=NUL, dataset_digest="d")]
        ),
        "metric model id": lambda: t.log_metric(run, Metric("m", 1.0, 1, 0, model_id=NUL)),
        "delete tag key": lambda: t.delete_tag(run, NUL),
        "dataset name": lambda: t.log_inputs(run, [DatasetInput(Dataset(NUL, "d", "code", "s"))]),
        "dataset source": lambda: t.log_inputs(run, [DatasetInput(Dataset("x", "d", "code", NUL))]),
        "dataset schema": lambda: t.log_inputs(
            run, [DatasetInput(Dataset("x", "d", "code", "s", schema=NUL))]
        ),
        "dataset input tag": lambda: t.log_inputs(run, [DatasetInput(ds, {"k": NUL})]),
        "input model": lambda: t.log_inputs(run, models=[NUL]),
        "output model": lambda: t.log_outputs(run, [ModelOutput(NUL, 0)]),
        "history key": lambda: t.get_metric_history(run, NUL),
        "history run": lambda: t.get_metric_history(NUL, "m"),
        "bulk history key": lambda: t.get_metric_history_bulk_interval([run], NUL),
        "run filter": lambda: t.search_runs([exp], f"params.p = '{NUL}'"),
        "run filter key": lambda: t.search_runs([exp], "params.`a\x00` = 'x'"),
        "run order": lambda: t.search_runs([exp], order_by=[f"params.{NUL}"]),
        "experiment filter": lambda: t.search_experiments(filter_string=f"name = '{NUL}'"),
        "logged model name": lambda: t.create_logged_model(exp, NUL),
        "logged model type": lambda: t.create_logged_model(exp, "x", model_type=NUL),
        "logged model source run": lambda: t.create_logged_model(exp, "x", source_run_id=NUL),
        "logged model param": lambda: t.create_logged_model(exp, "x", params=[("p", NUL)]),
        "logged model tag": lambda: t.set_logged_model_tags(model, [("k", NUL)]),
        "get logged model": lambda: t.get_logged_model(NUL),
        "delete logged model tag": lambda: t.delete_logged_model_tag(model, NUL),
        "logged model params": lambda: t.log_logged_model_params(model, [("k", NUL)]),
        "logged model filter": lambda: t.search_logged_models([exp], f"name = '{NUL}'"),
    }


def _trace_calls(backend: Backend, exp: str, run: str) -> dict[str, Callable[[], Any]]:
    tr = backend.traces

    def info(**fields: Any) -> TraceInfo:
        fields.setdefault("trace_id", "tr-" + "2" * 32)
        return TraceInfo(experiment_id=exp, request_time=1, state="OK", **fields)

    def assessment(**fields: Any) -> Assessment:
        base: dict[str, Any] = {"assessment_id": "", "trace_id": TRACE, "name": "n"}
        return Assessment(kind="feedback", value=1, **{**base, **fields})

    return {
        "trace tag": lambda: tr.start_trace(info(tags={"k": NUL})),
        "trace metadata": lambda: tr.start_trace(info(trace_metadata={"k": NUL})),
        "client request id": lambda: tr.start_trace(info(client_request_id=NUL)),
        "get trace": lambda: tr.get_trace_info(NUL),
        "set trace tag": lambda: tr.set_trace_tag(TRACE, "k", NUL),
        "set trace tag key": lambda: tr.set_trace_tag(TRACE, NUL, "v"),
        "delete trace tag": lambda: tr.delete_trace_tag(TRACE, NUL),
        "link to run": lambda: tr.link_traces_to_run([TRACE], NUL),
        "trace filter": lambda: tr.search_traces([exp], f"tags.k = '{NUL}'"),
        "assessment name": lambda: tr.create_assessment(assessment(name=NUL)),
        "assessment rationale": lambda: tr.create_assessment(assessment(rationale=NUL)),
        "assessment source": lambda: tr.create_assessment(assessment(source_id=NUL)),
        "assessment metadata": lambda: tr.create_assessment(assessment(metadata={"k": NUL})),
        "get assessment": lambda: tr.get_assessment(TRACE, NUL),
    }


@pytest.fixture
def seeded(backend: Backend) -> tuple[str, str, str]:
    t = backend.tracking
    exp = t.create_experiment("e", tags=[("k", "v")])
    run = t.create_run(exp, run_name="r").info.run_id
    t.log_batch(run, [Metric("m", 1.0, 1, 0)], [Param("p", "v")], [RunTag("t", "v")])
    model = t.create_logged_model(exp, "m", tags=[("k", "v")]).model_id
    backend.traces.start_trace(
        TraceInfo(trace_id=TRACE, experiment_id=exp, request_time=1, state="OK", tags={"a": "b"})
    )
    return exp, run, model


def test_tracking_refuses_nul_everywhere_and_stores_nothing(
    backend: Backend, seeded: tuple[str, str, str]
) -> None:
    exp, run, model = seeded
    before = _snapshot(backend, exp, run, model)
    accepted = []
    for name, call in _tracking_calls(backend, exp, run, model).items():
        try:
            call()
        except InvalidArgumentError as exc:
            assert "NUL" in exc.message or "may only contain" in exc.message, (name, exc.message)
        else:
            accepted.append(name)
    assert accepted == []
    assert _snapshot(backend, exp, run, model) == before


def test_traces_refuse_nul_and_store_nothing(
    backend: Backend, seeded: tuple[str, str, str]
) -> None:
    exp, run, model = seeded
    before = _snapshot(backend, exp, run, model)
    accepted = []
    for name, call in _trace_calls(backend, exp, run).items():
        try:
            call()
        except InvalidArgumentError:
            pass
        else:
            accepted.append(name)
    assert accepted == []
    assert _snapshot(backend, exp, run, model) == before


def test_json_valued_and_preview_texts_keep_nul_the_same_way_everywhere(
    backend: Backend, seeded: tuple[str, str, str]
) -> None:
    exp, _, _ = seeded
    traces = backend.traces
    created = traces.create_assessment(
        Assessment(assessment_id="", trace_id=TRACE, name="judge", kind="feedback", value=NUL)
    )
    assert traces.get_assessment(TRACE, created.assessment_id).value == NUL
    other = "tr-" + "3" * 32
    traces.start_trace(
        TraceInfo(trace_id=other, experiment_id=exp, request_time=2, state="OK",
                  request_preview=NUL)
    )  # fmt: skip
    assert traces.get_trace_info(other).request_preview == "a\ufffdb"


def test_webhooks_refuse_nul(backend: Backend) -> None:
    hooks = backend.webhooks
    events = ["registered_model.created"]
    for call in (
        lambda: hooks.create_webhook(NUL, "https://example.com/h", events),
        lambda: hooks.create_webhook("h", "https://example.com/" + NUL, events),
        lambda: hooks.create_webhook("h", "https://example.com/h", events, description=NUL),
        lambda: hooks.get_webhook(NUL),
        lambda: hooks.delete_webhook(NUL),
    ):
        with pytest.raises(InvalidArgumentError):
            call()
    assert list(hooks.list_webhooks()) == []
