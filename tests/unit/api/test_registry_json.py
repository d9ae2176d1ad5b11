"""Registry JSON converters: round trips, and MLflow's own protos accept what we emit."""

from __future__ import annotations

import pytest

from ardea.api.registry_json import (
    model_version_from_json,
    model_version_to_json,
    registered_model_from_json,
    registered_model_to_json,
)
from ardea.entities import ModelVersion, RegisteredModel, RegisteredModelAlias


def _version() -> ModelVersion:
    return ModelVersion(
        name="m",
        version=3,
        creation_timestamp=1,
        last_updated_timestamp=2,
        current_stage="Production",
        source="models:/m-abc",
        run_id="r1",
        model_id="m-abc",
        description="d",
        run_link="http://x",
        tags={"k": "v"},
        aliases=["champion"],
    )


def test_model_version_round_trip() -> None:
    mv = _version()
    wire = model_version_to_json(mv)
    assert wire["version"] == "3" and wire["status"] == "READY"
    back = model_version_from_json(wire)
    assert back == mv


def test_empty_fields_are_left_out() -> None:
    wire = model_version_to_json(ModelVersion("m", 1, 5, 5, source="s3://b"))
    assert set(wire) == {
        "name",
        "version",
        "creation_timestamp",
        "last_updated_timestamp",
        "description",  # always sent, "" for none (as MLflow's server does)
        "current_stage",
        "source",
        "status",
    }
    assert wire["description"] == ""
    model = registered_model_to_json(RegisteredModel("m", 5, 6))
    assert model == {"name": "m", "creation_timestamp": 5, "last_updated_timestamp": 6}


def test_registered_model_round_trip() -> None:
    rm = RegisteredModel(
        name="m",
        creation_timestamp=1,
        last_updated_timestamp=2,
        description="d",
        tags={"a": "b"},
        aliases=[RegisteredModelAlias("champion", 3)],
        latest_versions=[_version()],
    )
    wire = registered_model_to_json(rm)
    assert wire["aliases"] == [{"alias": "champion", "version": "3"}]
    assert registered_model_from_json(wire) == rm


def test_mlflow_protos_parse_our_json() -> None:
    pytest.importorskip("mlflow")
    from google.protobuf.json_format import ParseDict
    from mlflow.entities.model_registry import ModelVersion as MlflowVersion
    from mlflow.entities.model_registry import RegisteredModel as MlflowModel
    from mlflow.protos import model_registry_pb2 as pb

    rm = RegisteredModel("m", 1, 2, "d", tags={"a": "b"}, aliases=[RegisteredModelAlias("c", 3)])
    rm.latest_versions = [_version()]
    parsed = MlflowModel.from_proto(ParseDict(registered_model_to_json(rm), pb.RegisteredModel()))
    assert parsed.name == "m" and parsed.tags == {"a": "b"} and parsed.aliases == {"c": "3"}
    mv = MlflowVersion.from_proto(ParseDict(model_version_to_json(_version()), pb.ModelVersion()))
    assert (mv.version, mv.current_stage, mv.run_id, mv.aliases) == (
        "3",
        "Production",
        "r1",
        ["champion"],
    )
