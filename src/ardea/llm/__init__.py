"""LLM plumbing below tracing and evaluation: token usage, pricing, and (later) provider adapters.

Nothing here imports a provider SDK or the web stack; every module is safe to load from
tracing, services and autolog alike.
"""
