"""Entity <-> MLflow JSON shapes: the logged-model lifecycle extension."""

from __future__ import annotations

from ardea.api.mlflow_json import logged_model_from_json, logged_model_to_json
from ardea.entities import LoggedModel


def _model(lifecycle_stage: str) -> LoggedModel:
    return LoggedModel(
        model_id="m-" + "a" * 32,
        experiment_id="1",
        name="clf",
        artifact_location="mlflow-artifacts:/1/models/m/artifacts",
        creation_timestamp=1,
        last_updated_timestamp=2,
        lifecycle_stage=lifecycle_stage,
        tags={"t": "v"},
    )


def test_active_model_keeps_mlflow_shape() -> None:
    wire = logged_model_to_json(_model("active"))
    assert "lifecycle_stage" not in wire["info"]
    assert logged_model_from_json(wire).lifecycle_stage == "active"


def test_deleted_model_round_trips_lifecycle() -> None:
    model = _model("deleted")
    wire = logged_model_to_json(model)
    assert wire["info"]["lifecycle_stage"] == "deleted"
    assert logged_model_from_json(wire) == model


def test_mlflow_client_ignores_the_extension() -> None:
    """MLflow's own parser accepts the extra field (unknown fields are ignored)."""
    from mlflow.protos.service_pb2 import LoggedModel as LoggedModelProto
    from mlflow.utils.proto_json_utils import parse_dict

    proto = LoggedModelProto()
    parse_dict(logged_model_to_json(_model("deleted")), proto)
    assert proto.info.name == "clf" and proto.info.model_id == "m-" + "a" * 32
