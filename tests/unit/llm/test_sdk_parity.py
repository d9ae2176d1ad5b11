"""The real openai and anthropic SDKs and Ardea's adapters read the same fake the same way."""

from __future__ import annotations

import anthropic
import openai

from ardea.llm import get_client
from fixtures.fake_llm_server import FakeLLMServer


def test_openai_sdk_and_ardea_agree(llm: FakeLLMServer) -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi there"}]
    llm.queue_chat("same answer", input_tokens=12, output_tokens=3, cached_input_tokens=4)
    llm.queue_chat("same answer", input_tokens=12, output_tokens=3, cached_input_tokens=4)
    sdk = openai.OpenAI(base_url=llm.openai_base_url, api_key="k", max_retries=0)
    theirs = sdk.chat.completions.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]
    ours = get_client("openai:/gpt-4o-mini", base_url=llm.openai_base_url, api_key="k").chat(
        messages
    )
    assert ours.text == theirs.choices[0].message.content
    assert ours.finish_reason == theirs.choices[0].finish_reason
    assert theirs.usage is not None
    assert ours.usage.input_tokens == theirs.usage.prompt_tokens
    assert ours.usage.output_tokens == theirs.usage.completion_tokens
    details = theirs.usage.prompt_tokens_details
    assert details is not None and ours.usage.cached_input_tokens == details.cached_tokens
    sdk_body, our_body = (r.body for r in llm.requests)
    assert our_body["messages"] == sdk_body["messages"] and our_body["model"] == sdk_body["model"]


def test_anthropic_sdk_and_ardea_agree(llm: FakeLLMServer) -> None:
    sdk = anthropic.Anthropic(base_url=llm.anthropic_base_url, api_key="k", max_retries=0)
    model = "claude-3-5-haiku-20241022"
    user = {"role": "user", "content": "hi there"}
    theirs = sdk.messages.create(model=model, max_tokens=100, system="be brief", messages=[user])  # type: ignore[list-item]
    client = get_client(f"anthropic:/{model}", base_url=llm.anthropic_base_url, api_key="k")
    ours = client.chat([{"role": "system", "content": "be brief"}, user], max_tokens=100)
    assert ours.text == theirs.content[0].text  # type: ignore[union-attr]
    assert ours.usage.input_tokens == theirs.usage.input_tokens
    assert ours.usage.output_tokens == theirs.usage.output_tokens
    sdk_body, our_body = (r.body for r in llm.requests)
    assert our_body["system"] == sdk_body["system"] and our_body["max_tokens"] == 100
    assert our_body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "hi there"}]}
    ]
    headers = llm.requests[1].headers
    assert headers["x-api-key"] == "k" and headers["anthropic-version"] == "2023-06-01"
