"""The gateway scope of an API token: what makes an ordinary token a virtual key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["KeyScope"]


@dataclass(frozen=True, slots=True)
class KeyScope:
    """A virtual key's gateway fields, kept beside the API token they scope.

    Attributes:
        token_id: The API token (``auth_tokens.id``).
        allowed_models: Glob patterns (``fnmatch``) of the endpoint names or provider models
            the key may call; empty means any model its user may USE.
        metadata: Free-form attribution (``team``, ``project``), recorded on request traces.
        expires: When the key stops working for the gateway (epoch ms), or None: the token's
            own expiry still applies.
    """

    token_id: int
    allowed_models: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    expires: int | None = None
