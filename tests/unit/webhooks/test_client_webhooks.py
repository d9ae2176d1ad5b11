"""ArdeaClient's webhook methods on an embedded SQLite store (the REST path is covered by
tests/integration/test_webhooks_delivery.py): CRUD, and a test delivery sent in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea.client import ArdeaClient
from ardea.webhooks.signing import SIGNATURE_HEADER
from fixtures.webhook_receiver import Receiver


def test_embedded_client_webhooks(tmp_path: Path, receiver: Receiver) -> None:
    client = ArdeaClient(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        hook = client.create_webhook(
            "embedded", receiver.url + "/e", ["prompt_version.created"], secret="k"
        )
        assert client.get_webhook(hook.webhook_id) == hook
        assert [w.webhook_id for w in client.list_webhooks()] == [hook.webhook_id]
        assert client.update_webhook(hook.webhook_id, description="x").description == "x"
        with pytest.raises(InvalidArgumentError):
            client.create_webhook("bad", "ftp://x", ["prompt_version.created"])

        result = client.test_webhook(hook.webhook_id)
        assert result.success and result.response_status == 200
        (d,) = receiver.at("/e")
        assert d.json["entity"] == "prompt_version"
        assert SIGNATURE_HEADER.lower() in {k.lower() for k in d.headers}
        assert (tmp_path / "ardea-secret.key").exists()

        client.delete_webhook(hook.webhook_id)
        with pytest.raises(NotFoundError):
            client.get_webhook(hook.webhook_id)
    finally:
        client.close()
