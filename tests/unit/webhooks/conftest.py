"""Webhook unit tests: the shared fixture modules from tests/fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:  # tests/ holds the shared fixture modules
    sys.path.insert(0, _TESTS)

from fixtures.webhook_receiver import receiver  # noqa: E402, F401
