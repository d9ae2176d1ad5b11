"""Streaming answers: wire framings (SSE, AWS event stream), chunks, and the stream objects.

:mod:`~ardea.llm.streaming.sse` and :mod:`~ardea.llm.streaming.eventstream` split the
provider's bytes into events; each adapter's parser (``ardea.llm.adapters.*_stream``) turns
events into :class:`~ardea.llm.streaming.chunks.ChatChunk`; :mod:`~ardea.llm.streaming.stream`
holds :class:`ChatStream`/:class:`AsyncChatStream`, which :meth:`LLMClient.stream
<ardea.llm.client.LLMClient.stream>` returns.
"""
