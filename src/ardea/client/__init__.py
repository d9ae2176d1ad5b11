"""ArdeaClient: the explicit tracking API under the fluent one.

Use it directly to log to several backends at once, or to act on runs other than the
active one; ``ardea.get_client()`` returns the one the fluent API uses.
"""

from ardea.client._client import ArdeaClient

__all__ = ["ArdeaClient"]
