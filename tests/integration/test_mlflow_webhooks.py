"""The real ``mlflow`` client's webhook API (``MlflowClient.create_webhook`` & co., MLflow 3.x)
against a live ``ardea server``, with deliveries to a local receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from ardea.webhooks.signing import (  # noqa: E402
    DELIVERY_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from fixtures import webhook_receiver as wr  # noqa: E402
from fixtures.webhook_receiver import Receiver  # noqa: E402

pytestmark = pytest.mark.slow

receiver = wr.receiver  # the fixture


@pytest.fixture
def live_server(live_server_factory: Any) -> Any:
    """A fresh server that may deliver to the loopback receiver (SSRF guard opted out)."""
    return wr.start_live_server(live_server_factory)


if not hasattr(MlflowClient, "create_webhook"):  # pragma: no cover - older mlflow
    pytest.skip("this mlflow has no webhook client API", allow_module_level=True)


@pytest.fixture
def client(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[MlflowClient]:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("DO_NOT_TRACK", "true")
    yield MlflowClient(live_server.url, registry_uri=live_server.url)


def test_mlflow_client_webhook_crud_test_and_delivery(
    client: MlflowClient, receiver: Receiver
) -> None:
    hook = client.create_webhook(
        name="mlflow-hook",
        url=receiver.url + "/m",
        events=["model_version.created", "model_version_alias.created"],
        description="from the mlflow client",
        secret="mlflow-secret",
    )
    assert hook.name == "mlflow-hook" and hook.url == receiver.url + "/m"
    assert {str(e) for e in hook.events} == {
        "model_version.created",
        "model_version_alias.created",
    }
    assert str(hook.status) == "ACTIVE" and hook.secret is None
    assert hook.creation_timestamp > 0
    assert client.get_webhook(hook.webhook_id).description == "from the mlflow client"
    page = client.list_webhooks()
    assert [w.webhook_id for w in page] == [hook.webhook_id]

    client.create_registered_model("mlflow-webhooks")
    client.create_model_version("mlflow-webhooks", "s3://b/m/1")
    (d,) = receiver.wait_for("/m", 1)
    assert d.json["entity"] == "model_version" and d.json["data"]["version"] == "1"
    headers = {k.lower(): v for k, v in d.headers.items()}
    assert verify_signature(
        "mlflow-secret",
        headers[DELIVERY_ID_HEADER.lower()],
        headers[TIMESTAMP_HEADER.lower()],
        d.body,
        headers[SIGNATURE_HEADER.lower()],
    )

    result = client.test_webhook(hook.webhook_id, event="model_version_alias.created")
    assert result.success and result.response_status == 200
    assert receiver.at("/m")[-1].json["entity"] == "model_version_alias"

    updated = client.update_webhook(hook.webhook_id, status="DISABLED", name="renamed")
    assert str(updated.status) == "DISABLED" and updated.name == "renamed"
    assert client.get_webhook(hook.webhook_id).name == "renamed"

    with pytest.raises(MlflowException) as exc:
        client.create_webhook(name="bad", url="ftp://x", events=["model_version.created"])
    assert str(exc.value.error_code) == "INVALID_PARAMETER_VALUE"

    client.delete_webhook(hook.webhook_id)
    with pytest.raises(MlflowException) as exc:
        client.get_webhook(hook.webhook_id)
    assert str(exc.value.error_code) == "RESOURCE_DOES_NOT_EXIST"
    assert list(client.list_webhooks()) == []
