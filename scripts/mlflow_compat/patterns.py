"""The checked-in lists of MLflow tests: patterns of pytest node ids, grouped with a reason.

Two files use this format: ``scripts/mlflow_suites_skip.txt`` (tests that cannot apply to a
server other than MLflow's own; deselected) and ``scripts/mlflow_suites_later.txt`` (tests of
features a later Ardea issue builds; run, and their failures reported apart)::

    # a comment
    [category] Why these tests are listed.
    tests/tracking/test_rest_tracking.py::test_graphql_handler
    tests/tracking/test_rest_tracking.py::*[file]    # an optional note for this pattern

A ``[category] reason`` line opens a group; the pattern lines under it share its reason. A
pattern is a pytest node id in which ``*`` matches any run of characters; every other
character, ``[`` and ``]`` included, is literal. Standard library only: this module is
imported by the pytest plugin inside MLflow's test venv.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"^\[(?P<category>[A-Za-z0-9_.-]+)\]\s*(?P<reason>.*)$")


class PatternListError(ValueError):
    """A pattern-list file is malformed (the message names the line)."""


@dataclass(frozen=True)
class PatternEntry:
    """One pattern of a list, with the category and reason of its group."""

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
class PatternList:
    """A parsed pattern list: ordered entries; the first matching entry wins."""

    entries: tuple[PatternEntry, ...]

    @classmethod
    def parse(cls, text: str) -> PatternList:
        """Parse the file format described in the module docstring.

        Raises:
            PatternListError: a pattern before any ``[category]`` line, a category without a
                reason, or a pattern line that is not a node id.
        """
        entries: list[PatternEntry] = []
        category = reason = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                category, reason = header["category"], header["reason"].strip()
                if not reason:
                    raise PatternListError(f"line {number}: [{category}] has no reason")
                continue
            if not category:
                raise PatternListError(f"line {number}: pattern before any [category] line")
            pattern, _, note = line.partition("  #")
            pattern, note = pattern.strip(), note.strip()
            if "::" not in pattern or " " in pattern.split("::", 1)[0]:
                raise PatternListError(f"line {number}: not a node-id pattern: {pattern!r}")
            entries.append(PatternEntry(pattern, category, reason, note, number))
        return cls(tuple(entries))

    @classmethod
    def load(cls, path: str | Path) -> PatternList:
        """Read and parse a pattern-list file."""
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    def match(self, nodeid: str) -> PatternEntry | None:
        """The first entry whose pattern matches ``nodeid``, or None."""
        for entry in self.entries:
            if entry.matches(nodeid):
                return entry
        return None

    def unused(self, nodeids: Iterable[str]) -> list[PatternEntry]:
        """Entries that match none of ``nodeids`` although their test file was collected.

        Stale patterns and typos: a pattern for a file outside ``nodeids`` (a suite that was
        not run) is not reported.
        """
        ids = list(nodeids)
        files = {_file(n) for n in ids}
        return [
            e
            for e in self.entries
            if _file(e.pattern) in files and not any(e.matches(n) for n in ids)
        ]


def _file(nodeid: str) -> str:
    """The test file of a node id or pattern (the part before the first ``::``)."""
    return nodeid.split("::", 1)[0]
