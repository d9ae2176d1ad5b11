"""LIKE pattern translation: fixed cases, and three renderings that must agree.

The property test checks, for random patterns and strings, that the Python regex, SQLite
``GLOB`` of :func:`like_to_glob` and SQLite ``LIKE ... ESCAPE '\\'`` of :func:`like_to_sql`
(with ``PRAGMA case_sensitive_like`` on, as a reference) give the same answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ardea.store.search.like import like_to_glob, like_to_regex, like_to_sql, like_tokens


def test_tokens() -> None:
    assert like_tokens("a%_\\%\\_\\\\x\\") == [
        ("char", "a"),
        ("any", "%"),
        ("one", "_"),
        ("char", "%"),
        ("char", "_"),
        ("char", "\\"),
        ("char", "x"),
        ("char", "\\"),
    ]


@pytest.mark.parametrize(
    ("pattern", "sql", "glob"),
    [
        ("abc", "abc", "abc"),
        ("a%", "a%", "a*"),
        ("a_c", "a_c", "a?c"),
        ("50\\%", "50\\%", "50%"),
        ("x*[y]?", "x*[y]?", "x[*][[]y][?]"),
        ("end\\", "end\\\\", "end\\"),
        ("\\a", "a", "a"),
    ],
)
def test_renderings(pattern: str, sql: str, glob: str) -> None:
    assert like_to_sql(pattern) == sql
    assert like_to_glob(pattern) == glob


@pytest.mark.parametrize(
    ("pattern", "text", "sensitive", "insensitive"),
    [
        ("a%", "abc", True, True),
        ("A%", "abc", False, True),
        ("a_c", "abc", True, True),
        ("a_c", "ac", False, False),
        ("50\\%", "50%", True, True),
        ("50\\%", "500", False, False),
        ("%", "", True, True),
        ("_", "", False, False),
        ("a.c", "abc", False, False),
        ("%\n%", "x\ny", True, True),
    ],
)
def test_regex(pattern: str, text: str, sensitive: bool, insensitive: bool) -> None:
    assert bool(like_to_regex(pattern).fullmatch(text)) is sensitive
    assert bool(like_to_regex(pattern, case_sensitive=False).fullmatch(text)) is insensitive


@pytest.fixture(scope="module")
def sqlite_db() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA case_sensitive_like = ON")
    yield db
    db.close()


_ALPHABET = st.sampled_from(list("aAbB%_\\*?[]-é\n "))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=8), st.text(_ALPHABET, max_size=8))
def test_regex_glob_and_sqlite_like_agree(
    sqlite_db: sqlite3.Connection, pattern: str, text: str
) -> None:
    by_regex = like_to_regex(pattern).fullmatch(text) is not None
    (by_glob,) = sqlite_db.execute("SELECT ? GLOB ?", (text, like_to_glob(pattern))).fetchone()
    (by_like,) = sqlite_db.execute(
        "SELECT ? LIKE ? ESCAPE '\\'", (text, like_to_sql(pattern))
    ).fetchone()
    assert by_regex == bool(by_glob) == bool(by_like)
