"""``POST /gateway/openai/v1/responses/compact`` (MLflow's passthrough, MLFLOW-WIRE 12.2) and
``/gateway/v1/responses/compact``: the real ``openai`` SDK's ``responses.compact`` through the
gateway to the fake provider, the endpoint's model put in, the usage on the trace; a stream
is refused with a 400 in OpenAI's shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from ardea.store.backend import Backend
from ardea.store.sql.backend import open_sql_backend
from fixtures.fake_llm_server import FakeLLMServer, fake_llm
from fixtures.gateway_server import GatewayServer, endpoint, source, target

__all__ = ["fake_llm"]

INPUT = [
    {"role": "user", "content": "remember the number 7"},
    {"role": "assistant", "content": "I will."},
]


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[Backend]:
    b = open_sql_backend(
        f"sqlite:///{tmp_path / 'ardea.db'}", artifacts_destination=str(tmp_path / "a")
    )
    yield b
    b.close()


def test_the_sdk_compacts_through_both_paths_with_usage_on_the_trace(
    fake_llm: FakeLLMServer, backend: Backend
) -> None:
    fake_llm.reset()
    experiment_id = backend.tracking.create_experiment("compact")
    src = source(endpoint("chat", (target(fake_llm, "gpt"),), experiment_id=experiment_id))
    fake_llm.queue_chat("summary", input_tokens=21, output_tokens=4)
    with GatewayServer(src, backend) as server:
        for path in ("/gateway/openai/v1", "/gateway/v1"):
            client = openai.OpenAI(base_url=server.base_url + path, api_key="k", max_retries=0)
            compacted = client.responses.compact(model="chat", input=INPUT)  # type: ignore[arg-type]
            assert compacted.object == "response.compaction"
            assert compacted.output[0].type == "message"  # the user message, then the summary
            assert compacted.output[-1].type == "compaction"
        sent = fake_llm.requests_to("/responses/compact")
        assert [r.body["model"] for r in sent] == ["m-gpt", "m-gpt"]
        assert sent[0].body["input"] == INPUT

        with pytest.raises(openai.BadRequestError) as streamed:
            client.post(
                "/responses/compact",
                body={"model": "chat", "input": INPUT, "stream": True},
                cast_to=object,
            )
        assert "stream=true is not supported" in streamed.value.message
        with pytest.raises(openai.NotFoundError):
            client.responses.compact(model="nope", input=INPUT)  # type: ignore[arg-type]
    traces = sorted(backend.traces.search_traces([experiment_id]), key=lambda t: t.request_time)
    assert len(traces) == 2
    assert (traces[0].token_usage.input_tokens, traces[0].token_usage.output_tokens) == (21, 4)
