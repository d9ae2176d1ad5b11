"""Generated identifiers: formats, and the creation order of assessment ids."""

from __future__ import annotations

import re
import threading

import pytest

from ardea._core import ids


def test_assessment_ids_have_mlflows_format() -> None:
    assert re.fullmatch(r"a-[0-9a-f]{32}", ids.new_assessment_id())


def test_assessment_ids_sort_in_creation_order_even_within_one_clock_tick() -> None:
    made = [ids.new_assessment_id() for _ in range(2000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_assessment_ids_from_many_threads_are_unique_and_increase_per_thread() -> None:
    per_thread: list[list[str]] = [[] for _ in range(4)]

    def make(out: list[str]) -> None:
        out.extend(ids.new_assessment_id() for _ in range(500))

    threads = [threading.Thread(target=make, args=(out,)) for out in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(out == sorted(out) for out in per_thread)
    stamps = {i[2:18] for out in per_thread for i in out}
    assert len(stamps) == 2000  # one stamp per id, whatever thread made it


def test_a_clock_step_back_does_not_reorder_assessment_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    first = ids.new_assessment_id()
    monkeypatch.setattr(ids.time, "time_ns", lambda: 1)  # the wall clock jumps to 1970
    second = ids.new_assessment_id()
    assert second > first
    assert int(second[2:18], 16) == int(first[2:18], 16) + 1
