"""What a caller may read, handed to a store's search so that it filters in SQL.

A search with a :class:`Visibility` returns only the resources the caller may read, and
pages over those alone (the filter is part of the statement, so ``max_results`` and page
tokens stay correct). None means no filter (an admin, or a server without authentication).

The policy (:meth:`ardea.auth.policy.Policy.visibility`) decides one :class:`VisibilityMode`
per resource type from the caller's ``*`` role grants and workspace membership; the SQL
stores add the caller's per-resource grants (``store.sql.auth.visibility``):

- ``NOTHING``: a role denies every resource of the type.
- ``ALL_BUT_DENIED``: a role grants READ or more on every resource of the type; only a
  DENY on one resource hides it.
- ``DEFAULT``: no ``*`` grant, and the default permission lets members read: everything
  but what a DENY, or the user's own NO_PERMISSIONS without a role granting more, hides.
- ``GRANTED_ONLY``: only what a grant (the user's or a role's) lets it read, and no DENY.

How a search learns it: the server sets the caller's visibility for the duration of a
search request (:func:`reading_as`, a context variable, so it reaches the thread-pool thread
the store call runs in), and every SQL search reads :func:`current_visibility`. Only
searches and lists consult it; lookups by id are checked by the server's access rules.

Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum

__all__ = ["Visibility", "VisibilityMode", "current_visibility", "reading_as"]


class VisibilityMode(str, Enum):
    """How resources of one type without a grant of their own appear (module docstring)."""

    NOTHING = "nothing"
    ALL_BUT_DENIED = "all_but_denied"
    DEFAULT = "default"
    GRANTED_ONLY = "granted_only"


@dataclass(frozen=True, slots=True)
class Visibility:
    """What one user may read in one workspace.

    Attributes:
        user_id: The user whose grants count.
        workspace: The workspace the grants are looked up in.
        modes: ``(resource type, mode)`` pairs (``experiment``, ``registered_model``, ...);
            a tuple, so that a visibility can key a cache of compiled statements.
    """

    user_id: int
    workspace: str
    modes: tuple[tuple[str, VisibilityMode], ...]

    @classmethod
    def of(cls, user_id: int, workspace: str, modes: Mapping[str, VisibilityMode]) -> Visibility:
        """A visibility from a mapping of modes."""
        return cls(user_id, workspace, tuple(sorted(modes.items())))

    def mode(self, resource_type: str) -> VisibilityMode:
        """The mode of ``resource_type`` (GRANTED_ONLY when the policy was not asked about it)."""
        wanted = str(resource_type)
        for rtype, mode in self.modes:
            if rtype == wanted:
                return mode
        return VisibilityMode.GRANTED_ONLY


_current: ContextVar[Visibility | None] = ContextVar("ardea_visibility", default=None)


def current_visibility() -> Visibility | None:
    """The visibility searches apply now (None: no filter)."""
    return _current.get()


@contextmanager
def reading_as(visibility: Visibility | None) -> Iterator[None]:
    """Searches in this block return only what ``visibility`` allows (None: everything)."""
    token = _current.set(visibility)
    try:
        yield
    finally:
        _current.reset(token)
