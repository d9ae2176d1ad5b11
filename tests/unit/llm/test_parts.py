"""Images and tool calls/results translated for Anthropic, Gemini, Bedrock and Mistral.

Checked on the requests the fake provider received; parts a provider cannot take are refused
before anything is sent.
"""

from __future__ import annotations

import pytest

from ardea.llm import get_client
from ardea.llm.adapters.parts import UnsupportedPart
from ardea.llm.client import LLMClient
from fixtures import fake_llm_bedrock as bedrock_wire
from fixtures.fake_llm_server import FakeLLMServer

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5Er"
    "kJggg=="
)
ASK = [
    {"role": "user", "content": [
        {"type": "text", "text": "What bird is this?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "image_url", "image_url": {"url": "https://example.org/heron.jpg?size=2"}},
    ]},
]  # fmt: skip
TOOL_TURN = [
    {"role": "user", "content": "Find heron nests"},
    {"role": "assistant", "content": None, "tool_calls": [
        {"id": "toolu_01A", "type": "function",
         "function": {"name": "find_nests", "arguments": '{"site": "lake"}'}}]},
    {"role": "tool", "tool_call_id": "toolu_01A", "content": "3 nests"},
]  # fmt: skip


def _anthropic(llm: FakeLLMServer) -> LLMClient:
    return get_client("anthropic:/claude-3-5-haiku-latest", base_url=llm.anthropic_base_url,
                      api_key="k")  # fmt: skip


def _gemini(llm: FakeLLMServer) -> LLMClient:
    return get_client("gemini:/gemini-2.5-flash", base_url=llm.base_url, api_key="k")


def _bedrock(llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> LLMClient:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", bedrock_wire.ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", bedrock_wire.SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return get_client("bedrock:/amazon.nova-lite-v1:0", base_url=llm.base_url)


def test_anthropic_images_by_data_and_url(llm: FakeLLMServer) -> None:
    _anthropic(llm).chat(ASK)
    blocks = llm.requests[-1].body["messages"][0]["content"]
    assert blocks == [
        {"type": "text", "text": "What bird is this?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "image", "source": {"type": "url",
                                     "url": "https://example.org/heron.jpg?size=2"}},
    ]  # fmt: skip


def test_gemini_images_inline_and_as_file_data(llm: FakeLLMServer) -> None:
    _gemini(llm).chat(ASK)
    parts = llm.requests[-1].body["contents"][0]["parts"]
    assert parts == [
        {"text": "What bird is this?"},
        {"inlineData": {"mimeType": "image/png", "data": PNG}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.org/heron.jpg?size=2"}},
    ]


def test_bedrock_images_as_bytes_or_s3(llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _bedrock(llm, monkeypatch)
    ask = [{"role": "user", "content": [
        ASK[0]["content"][0], ASK[0]["content"][1],
        {"type": "image_url", "image_url": {"url": "s3://birds/heron.webp"}}]}]  # fmt: skip
    client.chat(ask)
    blocks = llm.requests[-1].body["messages"][0]["content"]
    assert blocks == [
        {"text": "What bird is this?"},
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"image": {"format": "webp", "source": {"s3Location": {"uri": "s3://birds/heron.webp"}}}},
    ]
    with pytest.raises(
        UnsupportedPart, match=r"bedrock cannot take the image URL of messages\[0\]"
    ):
        client.chat(ASK)
    assert len(llm.requests) == 1  # nothing sent


def test_tool_results_with_images_where_the_api_takes_them(
    llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}}
    result = [{"type": "text", "text": "the nest"}, image]
    turn = [*TOOL_TURN[:2], {**TOOL_TURN[2], "content": result}]
    _anthropic(llm).chat(turn)
    tool_result = llm.requests[-1].body["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == "toolu_01A"
    assert [b["type"] for b in tool_result["content"]] == ["text", "image"]
    _bedrock(llm, monkeypatch).chat(turn)
    converse_result = llm.requests[-1].body["messages"][-1]["content"][0]["toolResult"]
    assert converse_result["content"][1] == {"image": {"format": "png",
                                                       "source": {"bytes": PNG}}}  # fmt: skip
    with pytest.raises(UnsupportedPart, match="gemini cannot take an image in a tool result"):
        _gemini(llm).chat(turn)


def test_mistral_tool_call_ids_and_image_urls(llm: FakeLLMServer) -> None:
    client = get_client("mistral:/pixtral-12b-2409", base_url=llm.openai_base_url, api_key="k")
    client.chat([*TOOL_TURN, *ASK])
    messages = llm.requests[-1].body["messages"]
    call_id = messages[1]["tool_calls"][0]["id"]
    assert len(call_id) == 9 and call_id.isalnum() and messages[2]["tool_call_id"] == call_id
    url = "https://example.org/heron.jpg?size=2"
    assert messages[3]["content"][2] == {"type": "image_url", "image_url": url}
    assert messages[3]["content"][1]["image_url"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("name", ["anthropic", "gemini", "bedrock"])
def test_parts_a_provider_cannot_take_are_refused_before_sending(
    name: str, llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = {"anthropic": lambda: _anthropic(llm), "gemini": lambda: _gemini(llm),
              "bedrock": lambda: _bedrock(llm, monkeypatch)}[name]()  # fmt: skip
    audio = [{"role": "user", "content": [
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}]}]  # fmt: skip
    with pytest.raises(UnsupportedPart, match=rf"{name} cannot take messages\[0\].content\[0\]"):
        client.chat(audio)
    tiff = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/tiff;base64,AAAA"}}]}]  # fmt: skip
    with pytest.raises(UnsupportedPart, match="media type image/tiff"):
        client.chat(tiff)
    with pytest.raises(UnsupportedPart):
        client.stream(audio)
    assert llm.requests == []


def test_an_image_url_without_a_known_type_needs_a_data_url_for_gemini(llm: FakeLLMServer) -> None:
    ask = [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.org/photo"}}]}]  # fmt: skip
    with pytest.raises(UnsupportedPart, match="media type unknown"):
        _gemini(llm).chat(ask)
    _anthropic(llm).chat(ask)  # Anthropic fetches the URL itself: no type needed
    assert len(llm.requests) == 1
