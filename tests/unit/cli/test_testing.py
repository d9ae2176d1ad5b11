"""``ardea traces export`` then ``ardea test``: recordings from a store replayed as a suite."""

from __future__ import annotations

import json
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

import ardea
from ardea.tracing import provider as tracing_provider
from fixtures.fake_llm_server import FakeLLMServer

APP = """
import json
import os

import openai

import ardea

client = openai.OpenAI(base_url=os.environ["REPLAY_APP_URL"], api_key="sk-x", max_retries=0)
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]


@ardea.trace(span_type="TOOL")
def get_weather(city: str) -> dict:
    return {"city": city, "celsius": 21}


@ardea.trace(name="agent", span_type="AGENT")
def agent(question: str, session: str | None = None) -> str:
    if session:
        ardea.update_current_trace(session_id=session)
    messages = [{"role": "user", "content": question}]
    for _ in range(3):
        msg = client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, tools=TOOLS
        ).choices[0].message
        if not msg.tool_calls:
            return msg.content
        messages.append(msg.model_dump(exclude_none=True))
        for call in msg.tool_calls:
            result = get_weather(**json.loads(call.function.arguments))
            content = json.dumps(result)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
    return "gave up"
"""


@pytest.fixture
def app(tmp_path: Path, data: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLMServer]:
    """``replay_cli_app.agent`` in the working folder, its provider, traces going to ``data``."""
    server = FakeLLMServer().start()
    (tmp_path / "replay_cli_app.py").write_text(textwrap.dedent(APP))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("REPLAY_APP_URL", server.openai_base_url)
    tracing_provider.reset()
    ardea.set_tracking_uri(data)
    yield server
    server.stop()
    sys.modules.pop("replay_cli_app", None)
    from ardea.autolog import openai as openai_autolog

    openai_autolog.revert()
    tracing_provider.reset()
    ardea.set_tracking_uri(None)


def _record(server: FakeLLMServer, question: str, city: str, session: str | None = None) -> str:
    import replay_cli_app  # type: ignore[import-not-found]

    from ardea.autolog import openai as openai_autolog

    openai_autolog.autolog()
    server.queue_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": city}}])
    server.queue_chat(f"Sunny in {city}.")
    assert replay_cli_app.agent(question=question, session=session) == f"Sunny in {city}."
    tracing_provider.flush()
    trace_id = ardea.get_last_active_trace_id()
    assert trace_id is not None
    return trace_id


def test_export_then_test_passes_fails_and_writes_junit(
    app: FakeLLMServer, ardea: Callable[..., Result], tmp_path: Path
) -> None:
    paris = _record(app, "Paris?", "Paris")
    rome = _record(app, "Rome?", "Rome")
    rec = tmp_path / "recordings"
    exported = ardea("traces", "export", paris, "-o", str(rec / "paris.json"))
    assert exported.exit_code == 0, exported.output
    assert ardea("traces", "export", rome, "-o", str(rec / "rome.json")).exit_code == 0
    doc = json.loads((rec / "rome.json").read_text())
    for span in doc["data"]["spans"]:  # a recording the new code no longer matches
        if span["name"] == "get_weather":
            span["attributes"]["mlflow.spanInputs"] = json.dumps({"city": "Milan"})
    (rec / "rome.json").write_text(json.dumps(doc))
    (rec / "sub").mkdir()
    (rec / "sub" / "broken.json").write_text(json.dumps({"info": doc["info"], "data": {}}))
    app.stop()  # replay must not need the provider

    report = tmp_path / "out" / "junit.xml"
    result = ardea("test", str(rec), "--app", "replay_cli_app:agent", "--junitxml", str(report))

    assert result.exit_code == 1, result.output
    out = result.output
    assert "paris.json PASSED" in out
    assert "rome.json FAILED" in out
    assert "sub/broken.json ERROR" in out
    assert "diverged at step 1 (get_weather)" in out
    assert '-    "city": "Milan"' in out and '+    "city": "Rome"' in out
    assert "1 failed, 1 error, 1 passed" in out
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"paris.json", "rome.json", "sub/broken.json"}
    failure = cases["rome.json"].find("failure")
    assert failure is not None and "step 1 (get_weather)" in (failure.get("message") or "")
    error = cases["sub/broken.json"].find("error")
    assert error is not None and "no 'data.spans'" in (error.get("message") or "")
    assert cases["paris.json"].find("failure") is None

    (rec / "rome.json").unlink()
    (rec / "sub" / "broken.json").unlink()
    ok = ardea("test", str(rec), "--app", "replay_cli_app:agent")
    assert ok.exit_code == 0, ok.output
    assert "1 passed" in ok.output


def test_session_export_and_bad_arguments(
    app: FakeLLMServer, ardea: Callable[..., Result], tmp_path: Path
) -> None:
    first = _record(app, "Paris?", "Paris", session="s-1")
    second = _record(app, "Rome?", "Rome", session="s-1")
    session = tmp_path / "session.json"
    both = ardea("traces", "export", first, second, "-o", str(session))
    assert both.exit_code == 0, both.output
    assert [d["info"]["trace_id"] for d in json.loads(session.read_text())] == [first, second]
    by_session = tmp_path / "by_session.json"
    found = ardea("traces", "export", "--session-id", "s-1", "-o", str(by_session))
    assert found.exit_code == 0, found.output
    assert json.loads(by_session.read_text()) == json.loads(session.read_text())
    app.stop()
    replayed = ardea("test", str(tmp_path), "--app", "replay_cli_app:agent", uri=None)
    assert replayed.exit_code == 0, replayed.output
    assert "by_session.json PASSED" in replayed.output and "session.json PASSED" in replayed.output

    neither = ardea("traces", "export", "-o", str(session))
    assert neither.exit_code == 1 and "give trace ids or --session-id" in neither.output
    no_session = ardea("traces", "export", "--session-id", "nope", "-o", str(session))
    assert no_session.exit_code == 1 and "no traces in session 'nope'" in no_session.output
    empty = tmp_path / "empty"
    empty.mkdir()
    none = ardea("test", str(empty), "--app", "replay_cli_app:agent", uri=None)
    assert none.exit_code == 1 and "holds no recorded traces" in none.output
    bad_app = ardea("test", str(empty), "--app", "replay_cli_app", uri=None)
    assert bad_app.exit_code == 2 and "is not MODULE:FUNCTION" in bad_app.output
    missing = ardea("test", str(empty), "--app", "replay_cli_app:nothing", uri=None)
    assert missing.exit_code == 2 and "has no function 'nothing'" in missing.output
