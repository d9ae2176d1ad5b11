"""The judge cache: a judge's feedbacks by content address, in a local SQLite file.

``evaluate`` asks each scorer for :meth:`~ardea.evaluation.scorers.Scorer.cache_key` (judges
answer the SHA-256 of their identity and of the values their template uses, without
rendering it; code scorers answer ``None`` and are simply re-run). A key found
in the cache gives back the stored feedbacks without an LLM call; a new judgement is stored
unless it is an error (a failed call is tried again next time).

Where: ``ARDEA_EVAL_CACHE`` set to a path uses that file; ``0`` / ``false`` / ``off`` turns
the cache off; unset, the file is ``$XDG_CACHE_HOME/ardea/judge-cache.sqlite`` (default
``~/.cache/ardea/judge-cache.sqlite``). The file holds only judgements (values, rationales,
the judge model), keyed by hashes: no credentials.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ardea.entities import AssessmentSource, Feedback

__all__ = [
    "CACHED_KEY",
    "CACHE_ENV",
    "JudgeCache",
    "decode_feedbacks",
    "default_cache_path",
    "open_cache",
]

CACHE_ENV = "ARDEA_EVAL_CACHE"
"""Environment variable: a file path, or ``0`` to turn the judge cache off."""

CACHED_KEY = "ardea.judge.cached"
"""Feedback metadata set on a judgement taken from the cache (its other metadata is the
original call's: model, tokens, cost)."""

_OFF = {"0", "false", "no", "off"}


def default_cache_path() -> Path | None:
    """The cache file ``ARDEA_EVAL_CACHE`` chooses (None: the cache is off)."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in _OFF:
        return None
    if setting and setting.lower() not in ("1", "true", "yes", "on"):
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ardea" / "judge-cache.sqlite"


def _encode(feedbacks: Sequence[Feedback]) -> str:
    return json.dumps(
        [
            {
                "name": f.name,
                "value": f.value,
                "rationale": f.rationale,
                "source_type": f.source_type,
                "source_id": f.source_id,
                "metadata": f.metadata,
            }
            for f in feedbacks
        ]
    )


def decode_feedbacks(text: str) -> list[Feedback]:
    """The feedbacks of a stored judgement (fresh objects, marked as cached)."""
    return [
        Feedback(
            name=d["name"],
            value=d["value"],
            rationale=d.get("rationale"),
            source=AssessmentSource(d["source_type"], d.get("source_id")),
            metadata={**(d.get("metadata") or {}), CACHED_KEY: "true"},
        )
        for d in json.loads(text)
    ]


class JudgeCache:
    """Feedbacks by cache key in one SQLite file (safe across threads and processes).

    Args:
        path: The SQLite file (created with its folder).

    Example::

        cache = JudgeCache(Path("/tmp/judges.sqlite"))
        cache.put("k", [Feedback(name="ok", value=True)])
        cache.get("k")[0].value  # True
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # No fsync per put (``evaluate`` stores each judgement from its event loop): in WAL mode
        # a crash of the process loses nothing; a power cut may lose the last judgements, which
        # are then asked again.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS judgements ("
            "key TEXT PRIMARY KEY, feedbacks TEXT NOT NULL, created REAL NOT NULL)"
        )
        self._db.commit()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> list[Feedback] | None:
        """The feedbacks stored under ``key`` (fresh objects), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT feedbacks FROM judgements WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        try:
            return decode_feedbacks(row[0])
        except Exception:
            return None

    def get_many(self, keys: Sequence[str]) -> dict[str, list[Feedback]]:
        """The feedbacks stored under each of ``keys`` that is found (one read per 500 keys)."""
        found: dict[str, list[Feedback]] = {}
        for key, text in self.get_texts(keys).items():
            try:
                found[key] = decode_feedbacks(text)
            except Exception:
                continue
        return found

    def get_texts(self, keys: Sequence[str]) -> dict[str, str]:
        """:meth:`get_many` before decoding (:func:`decode_feedbacks` makes the objects)."""
        unique = list(dict.fromkeys(keys))
        rows: list[tuple[str, str]] = []
        with self._lock:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows.extend(
                    self._db.execute(
                        f"SELECT key, feedbacks FROM judgements WHERE key IN ({marks})", chunk
                    ).fetchall()
                )
            self.hits += len(rows)
            self.misses += len(unique) - len(rows)
        return dict(rows)

    def put(self, key: str, feedbacks: Sequence[Feedback]) -> None:
        """Store ``feedbacks`` under ``key`` unless one of them is an error."""
        self.put_many([(key, feedbacks)])

    def put_many(self, entries: Sequence[tuple[str, Sequence[Feedback]]]) -> None:
        """:meth:`put` of many judgements, in one transaction."""
        now = time.time()
        rows = [
            (key, _encode(feedbacks), now)
            for key, feedbacks in entries
            if feedbacks and all(f.error is None for f in feedbacks)
        ]
        if not rows:
            return
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO judgements (key, feedbacks, created) VALUES (?, ?, ?)",
                rows,
            )
            self._db.commit()

    def clear(self) -> None:
        """Forget every judgement."""
        with self._lock:
            self._db.execute("DELETE FROM judgements")
            self._db.commit()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM judgements").fetchone()[0])


def open_cache(cache: Any = None) -> JudgeCache | None:
    """The cache ``evaluate(cache=...)`` asks for: True/None = the environment's, False = off.

    A path (str or ``Path``) opens that file; a :class:`JudgeCache` is used as it is.
    """
    if isinstance(cache, JudgeCache):
        return cache
    if cache is False:
        return None
    if isinstance(cache, (str, os.PathLike)):
        return JudgeCache(Path(cache))
    path = default_cache_path()
    return JudgeCache(path) if path is not None else None
