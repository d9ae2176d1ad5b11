"""The audit record: who did what, scrubbed of secrets, in the store and in the log.

:func:`record` is the one way the auth package writes audit events. Before anything is
stored or logged it scrubs the event:

- a ``detail`` key that names a secret (``password``, ``secret``, ``token``, ``hash``,
  ``cookie``, ``authorization``, ``csrf``, ``credential``, ``api_key``, ...) has its value
  replaced by ``[redacted]``, at any depth;
- any string that looks like an Ardea API token (``ardea_pat_...``, ``ardea_sa_...``) is cut
  to its public prefix, wherever it appears (target, detail, even the actor).

Actions are dotted verbs: ``user.create``, ``user.password``, ``user.admin``,
``user.disable``, ``user.enable``, ``user.delete``, ``token.create``, ``token.revoke``,
``login``, ``login.failed``, ``logout``, ``role.assign`` and ``role.unassign`` (single
sign-on's group mappings); later parts add role and permission changes by hand.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from ardea.entities.auth import AuditEvent
from ardea.store.auth import AuthStore

__all__ = ["REDACTED", "SYSTEM_ACTOR", "record", "scrub", "scrub_text"]

REDACTED = "[redacted]"
"""What a secret's value becomes in an audit row."""

SYSTEM_ACTOR = "system"
"""The actor of what the server does by itself (the first admin at start)."""

_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|hash|cookie|authori[sz]ation|csrf|credential|"
    r"api[_-]?key|private",
    re.IGNORECASE,
)
_TOKEN_TEXT = re.compile(r"\b(ardea_(?:pat|sa)_[a-z0-9]{8})_[A-Za-z0-9_-]+")
_log = logging.getLogger("ardea.audit")


def scrub_text(text: str) -> str:
    """``text`` with every Ardea API token cut to its public part (``ardea_pat_<prefix>_…``)."""
    return _TOKEN_TEXT.sub(r"\1_…", text)


def scrub(value: Any) -> Any:
    """A copy of JSON-like ``value`` with secrets redacted (see the module docstring)."""
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _SECRET_KEY.search(str(k)) else scrub(v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def record(
    store: AuthStore,
    actor: str | None,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one scrubbed event to the audit log and write it to the ``ardea.audit`` log.

    Args:
        store: Where the event goes.
        actor: The acting username (None: ``-``, e.g. a failed login by nobody known).
        action: A dotted verb (``user.create``).
        target: What it acted on (``bob``, ``token:ab12cd34``, ``role:3``).
        detail: More facts; secret-named keys are redacted.
        ip: The client address, if known.
    """
    who = scrub_text(actor) if actor else "-"
    what = scrub_text(target) if target else None
    facts = scrub(dict(detail)) if detail else None
    _log.info("audit: %s %s %s from %s", who, action, what or "-", ip or "-")
    return store.append_audit(who, action, target=what, detail=facts, ip=ip)
