"""A separate process charging rate limits: ``python _worker.py SPEC ENDPOINT N NOW``.

SPEC is ``sql:<uri>`` or ``redis:<url>``. Waits for ``<ENDPOINT>.go`` in the current directory
(so all workers start together), sends N one-request checks to an endpoint limited to
``LIMIT`` requests per minute at the fixed clock NOW, and prints how many were allowed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ardea.gateway.config import Endpoint, ModelTarget, RateLimit
from ardea.gateway.limits import RequestContext, open_counter_store
from ardea.gateway.limits.rate import RateLimiter


def main() -> None:
    """Run the worker."""
    spec, endpoint_id, n, now, limit = sys.argv[1:6]
    store = open_counter_store(spec)
    endpoint = Endpoint(
        endpoint_id=endpoint_id,
        name=endpoint_id,
        workspace="default",
        endpoint_type="llm/v1/chat",
        primary=(ModelTarget("d", "d", "openai", "gpt-4.1-mini"),),
        limits=(RateLimit("endpoint", requests_per_minute=int(limit)),),
    )
    limiter = RateLimiter(store, clock=lambda: float(now))
    go = Path(f"{endpoint_id}.go")
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    allowed = sum(limiter.check(RequestContext(endpoint)).allowed for _ in range(int(n)))
    print(allowed)


if __name__ == "__main__":
    main()
