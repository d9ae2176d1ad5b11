"""Candidate templates: ``format()`` renders them inside the block, and only there."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context

from ardea.prompts import PromptVersion
from ardea.prompts._candidates import candidate_templates


def test_format_renders_the_candidate_inside_the_block_only() -> None:
    qa = PromptVersion(name="qa", version=1, template="Q: {{ q }}")
    other = PromptVersion(name="other", version=1, template="O: {{ q }}")
    with candidate_templates({"qa": "Short answer. Q: {{ q }}"}) as used:
        assert qa.format(q="2+2") == "Short answer. Q: 2+2"
        assert other.format(q="x") == "O: x"
        assert qa.template == "Q: {{ q }}"  # the version itself is unchanged
    assert used.used == {"qa"}
    assert qa.format(q="2+2") == "Q: 2+2"


def test_chat_candidates_and_partial_formatting() -> None:
    chat = PromptVersion(name="c", version=1, template=[{"role": "user", "content": "{{ a }}"}])
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{ a }}"}]
    with candidate_templates({"c": messages}):
        assert chat.format(a="hi")[0] == {"role": "system", "content": "Be brief."}
    text = PromptVersion(name="t", version=1, template="{{ a }}")
    with candidate_templates({"t": "{{ a }} and {{ b }}"}):
        partial = text.format(allow_partial=True, a="x")
        assert isinstance(partial, PromptVersion) and partial.template == "x and {{ b }}"


def test_other_threads_and_tasks_are_unaffected_unless_they_copy_the_context() -> None:
    qa = PromptVersion(name="qa", version=1, template="Q: {{ q }}")
    seen: list[str] = []
    with candidate_templates({"qa": "C: {{ q }}"}):
        plain = threading.Thread(target=lambda: seen.append(qa.format(q="1")))
        plain.start()
        plain.join()
        with ThreadPoolExecutor(1) as pool:
            seen.append(pool.submit(copy_context().run, qa.format, q="2").result())

        async def task() -> str:
            return str(qa.format(q="3"))

        seen.append(asyncio.run(task()))
    assert seen == ["Q: 1", "C: 2", "C: 3"]
