"""The agent server behind ``ardea agents serve``: one Python agent behind OpenAI's APIs.

See :mod:`ardea.models.agents._app` for the routes and :mod:`ardea.models.agents._adapters`
for the kinds of agents it hosts.
"""

from __future__ import annotations

from ardea.models.agents._adapters import Adapter, AgentCall
from ardea.models.agents._app import MAX_BODY_BYTES, app_from_env, create_app
from ardea.models.agents._messages import ToolCall

__all__ = ["MAX_BODY_BYTES", "Adapter", "AgentCall", "ToolCall", "app_from_env", "create_app"]
