"""A virtual key's model allow-list is checked against the model a call is routed to.

The split's draw (not the endpoint's first primary model), the caller's per-request override,
and each fallback attempt (a fallback whose model the key may not call is skipped, and named
on the trace). Real ``openai`` SDK, ``ardea server`` with ``--auth``, the fake provider.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from ardea.auth import accounts
from ardea.auth.tokens import issue_token
from ardea.entities.gateway_keys import KeyScope
from ardea.server.deps import ServerSettings
from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.gateway_limits.keys import SqlKeyScopes
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer, endpoint, source, target

__all__ = ["fake_llm"]

USER = [{"role": "user", "content": "hello"}]


@pytest.fixture
def backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    monkeypatch.setenv("ARDEA_ADMIN_PASSWORD", "first admin password")
    monkeypatch.delenv("ARDEA_GATEWAY_REDIS_URL", raising=False)
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


@pytest.fixture
def fake(fake_llm: FakeLLMServer) -> Iterator[FakeLLMServer]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


def _models(fake: FakeLLMServer) -> list[str]:
    return [r.body["model"] for r in fake.requests_to("/chat/completions")]


def _span(backend: Backend, experiment_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while not (traces := backend.traces.search_traces([experiment_id])):
        assert time.monotonic() < deadline, "no trace was written"
        time.sleep(0.05)
    attributes: dict[str, Any] = backend.traces.get_trace(traces[0].trace_id).spans[0].attributes
    return attributes


def test_the_routed_model_fallbacks_and_overrides_are_checked(
    backend: Backend, fake: FakeLLMServer
) -> None:
    experiment_id = backend.tracking.create_experiment("gw")
    src = source(
        # the split never draws "a" (weight 0): the first primary model is not the routed one
        endpoint("split", (target(fake, "a", weight=0.0), target(fake, "b"))),
        endpoint(
            "fb",
            (target(fake, "a"),),
            fallback=(target(fake, "b"),),
            experiment_id=experiment_id,
        ),
        endpoint("ov", (target(fake, "a"), target(fake, "b")), allow_model_override=True),
    )
    with GatewayServer(src, backend, ServerSettings(auth_enabled=True)) as server:
        store = backend.require_auth()
        password = "a long enough password 1"
        owner = accounts.create_user(store, "ops", password, is_admin=True, actor="t")
        scopes = SqlKeyScopes(store.database)  # type: ignore[attr-defined]

        def client(*allowed: str) -> openai.OpenAI:
            issued = issue_token(store, owner, f"k{time.monotonic_ns()}", None, actor="t")
            scopes.set(KeyScope(issued.info.id, allowed_models=allowed))
            return openai.OpenAI(
                base_url=server.base_url + "/gateway/v1", api_key=issued.token, max_retries=0
            )

        def chat(c: openai.OpenAI, model: str) -> Any:
            return c.chat.completions.create(model=model, messages=USER)  # type: ignore[arg-type]

        only_a, only_b = client("m-a"), client("m-b")
        with pytest.raises(openai.PermissionDeniedError) as refused:
            chat(only_a, "split")
        assert refused.value.response.json()["error"]["code"] == "model_not_allowed"
        assert "m-b" in refused.value.response.json()["error"]["message"]
        assert _models(fake) == []
        assert chat(only_b, "split").choices
        assert _models(fake) == ["m-b"]

        fake.reset()
        fake.queue_error(500)
        with pytest.raises(openai.InternalServerError):
            chat(only_a, "fb")  # the fallback's m-b is off the list: not sent
        assert _models(fake) == ["m-a"]
        assert _span(backend, experiment_id)["ardea.gateway.key.skipped_models"] == "m-b"
        fake.reset()
        fake.queue_error(500)
        assert chat(client("m-*"), "fb").choices
        assert _models(fake) == ["m-a", "m-b"]

        fake.reset()
        with pytest.raises(openai.PermissionDeniedError):
            chat(only_a, "ov/m-b")
        with pytest.raises(openai.PermissionDeniedError):
            chat(only_a, "ov/b")  # the definition's name routes to m-b too
        assert _models(fake) == []
        assert chat(only_a, "ov/m-a").choices
        assert chat(client("ov"), "ov/m-b").choices  # the endpoint's name allows its models
        assert _models(fake) == ["m-a", "m-b"]
