"""The list of MLflow tests that cannot apply to a server other than MLflow's own.

File format (``scripts/mlflow_suites_skip.txt``)::

    # a comment
    [category] Why no other server could pass these tests.
    tests/tracking/test_rest_tracking.py::test_graphql_handler
    tests/tracking/test_rest_tracking.py::*[file]    # an optional note for this pattern

A ``[category] reason`` line opens a group; the pattern lines under it share its reason. A
pattern is a pytest node id in which ``*`` matches any run of characters; every other
character, ``[`` and ``]`` included, is literal. Standard library only: this module is
imported by the pytest plugin inside MLflow's test venv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"^\[(?P<category>[A-Za-z0-9_.-]+)\]\s*(?P<reason>.*)$")


class SkipListError(ValueError):
    """The skip-list file is malformed (the message names the line)."""


@dataclass(frozen=True)
class SkipEntry:
    """One pattern of the skip list, with the reason of its group."""

    pattern: str
    category: str
    reason: str
    note: str = ""
    line: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = (re.escape(p) for p in self.pattern.split("*"))
        object.__setattr__(self, "_regex", re.compile(".*".join(parts) + r"\Z", re.DOTALL))

    def matches(self, nodeid: str) -> bool:
        """True when ``nodeid`` matches this pattern (``*`` is the only wildcard)."""
        return self._regex.match(nodeid) is not None

    @property
    def full_reason(self) -> str:
        """The group's reason, followed by the pattern's own note when it has one."""
        return f"{self.reason} ({self.note})" if self.note else self.reason


@dataclass(frozen=True)
class SkipList:
    """Parsed skip list: ordered entries; the first matching entry wins."""

    entries: tuple[SkipEntry, ...]

    @classmethod
    def parse(cls, text: str) -> SkipList:
        """Parse the file format described in the module docstring.

        Raises:
            SkipListError: a pattern before any ``[category]`` line, a category without a
                reason, or a pattern line that is not a node id.
        """
        entries: list[SkipEntry] = []
        category = reason = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                category, reason = header["category"], header["reason"].strip()
                if not reason:
                    raise SkipListError(f"line {number}: [{category}] has no reason")
                continue
            if not category:
                raise SkipListError(f"line {number}: pattern before any [category] line")
            pattern, _, note = line.partition("  #")
            pattern, note = pattern.strip(), note.strip()
            if "::" not in pattern or " " in pattern.split("::", 1)[0]:
                raise SkipListError(f"line {number}: not a node-id pattern: {pattern!r}")
            entries.append(SkipEntry(pattern, category, reason, note, number))
        return cls(tuple(entries))

    @classmethod
    def load(cls, path: str | Path) -> SkipList:
        """Read and parse a skip-list file."""
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    def match(self, nodeid: str) -> SkipEntry | None:
        """The first entry whose pattern matches ``nodeid``, or None."""
        for entry in self.entries:
            if entry.matches(nodeid):
                return entry
        return None

    def unused(self, nodeids: list[str]) -> list[SkipEntry]:
        """Entries that match none of ``nodeids`` (stale patterns, typos)."""
        return [e for e in self.entries if not any(e.matches(n) for n in nodeids)]
