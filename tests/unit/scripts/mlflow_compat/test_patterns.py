"""The pattern lists: the file format, matching, stale patterns, and the checked-in lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow_compat.patterns import PatternList, PatternListError

SCRIPTS = Path(__file__).resolve().parents[4] / "scripts"

SAMPLE = """\
# comment
[filestore] MLflow's FileStore.
tests/a.py::*[file]
tests/a.py::*[file-*

[graphql] Only MLflow's UI calls it.
tests/a.py::test_graphql[*   # the GraphQL one
tests/b.py::test_other
"""


def test_patterns_are_grouped_under_their_reason() -> None:
    patterns = PatternList.parse(SAMPLE)
    categories = [e.category for e in patterns.entries]
    assert categories == ["filestore", "filestore", "graphql", "graphql"]
    entry = patterns.match("tests/a.py::test_graphql[sqlalchemy]")
    assert entry is not None
    assert entry.full_reason == "Only MLflow's UI calls it. (the GraphQL one)"
    assert entry.line == 7
    other = patterns.match("tests/b.py::test_other")
    assert other is not None and other.full_reason == "Only MLflow's UI calls it."


def test_star_is_the_only_wildcard_and_the_whole_id_must_match() -> None:
    patterns = PatternList.parse(SAMPLE)

    def category(nodeid: str) -> str | None:
        entry = patterns.match(nodeid)
        return entry.category if entry else None

    assert category("tests/a.py::test_x[file]") == "filestore"
    assert category("tests/a.py::test_x[file-None-1]") == "filestore"
    assert category("tests/a.py::test_x[sqlalchemy]") is None
    assert category("tests/a.py::test_x[f]") is None  # "[file]" is not a character class
    assert category("tests/a.py::test_graphql_other[sqlalchemy]") is None
    assert category("tests/b.py::test_x[file]") is None
    assert category("tests/b.py::test_other[sqlalchemy]") is None  # no implicit suffix
    assert category("x/tests/b.py::test_other") is None  # nor prefix


def test_first_matching_entry_wins() -> None:
    patterns = PatternList.parse("[one] first\nt.py::test_*\n[two] second\nt.py::test_a\n")
    entry = patterns.match("t.py::test_a")
    assert entry is not None and entry.category == "one"


def test_unused_names_stale_patterns_of_collected_files_only() -> None:
    patterns = PatternList.parse(SAMPLE)
    unused = patterns.unused(["tests/a.py::test_x[file]"])
    # tests/b.py was not collected (its suite did not run): its pattern is not stale.
    assert [e.pattern for e in unused] == ["tests/a.py::*[file-*", "tests/a.py::test_graphql[*"]
    assert patterns.unused([]) == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("tests/a.py::t\n", r"line 1: pattern before any \[category\]"),
        ("[x]\ntests/a.py::t\n", r"line 1: \[x\] has no reason"),
        ("[x] why\nnot a node id\n", "line 2: not a node-id pattern"),
        ("[x] why\ntests/a b.py::t\n", "not a node-id pattern"),
    ],
)
def test_malformed_files_are_refused_with_the_line(text: str, error: str) -> None:
    with pytest.raises(PatternListError, match=error):
        PatternList.parse(text)


@pytest.mark.parametrize(
    ("name", "categories"),
    [
        (
            "mlflow_suites_skip.txt",
            {"filestore", "graphql", "in-process", "own-server", "mlflow-3.18", "mlflow-5xx"},
        ),
        ("mlflow_suites_later.txt", {"datasets", "issues"}),
    ],
)
def test_checked_in_lists_parse_with_known_categories(name: str, categories: set[str]) -> None:
    patterns = PatternList.load(SCRIPTS / name)
    assert {e.category for e in patterns.entries} == categories
    names = [e.pattern for e in patterns.entries]
    assert len(names) == len(set(names))
    assert all(e.pattern.startswith("tests/") and e.reason for e in patterns.entries)


def test_no_test_is_both_deselected_and_later_listed() -> None:
    """A later-listed test must run, so that it shows up as passing once its feature exists."""
    skip = PatternList.load(SCRIPTS / "mlflow_suites_skip.txt")
    later = PatternList.load(SCRIPTS / "mlflow_suites_later.txt")
    # A later pattern with its wildcards filled in is a node id it names.
    for entry in later.entries:
        example = entry.pattern
        if example.endswith("[*"):
            example = example.removesuffix("[*") + "[sqlalchemy]"
        example = example.replace("*", "x")
        assert later.match(example) is not None, example
        assert skip.match(example) is None, (example, skip.match(example))
