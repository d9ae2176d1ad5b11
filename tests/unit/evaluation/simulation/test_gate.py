"""The simulation's step gate: a released slot goes to the longest waiter (no barging), and at
most ``slots`` threads hold it at once."""

from __future__ import annotations

import threading
import time

import pytest

from ardea.evaluation.simulation.gate import FairGate


def _until(check: object, what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.001)


def test_slots_go_in_arrival_order_and_a_releasing_thread_cannot_take_its_slot_back() -> None:
    gate = FairGate(1)
    order: list[str] = []

    def step(name: str) -> None:
        with gate:
            order.append(name)

    gate.__enter__()
    threads = []
    for n, name in enumerate(["b", "c", "a-again"], start=1):
        thread = threading.Thread(target=step, args=(name,), daemon=True)
        thread.start()
        threads.append(thread)
        _until(lambda n=n: gate.waiting == n, f"{n} waiters")
    gate.__exit__(None, None, None)
    with gate:  # asking again at once, still running: behind the three, not first
        order.append("main")
    for thread in threads:
        thread.join(10)
    assert order == ["b", "c", "a-again", "main"]
    assert gate.waiting == 0


def test_at_most_slots_hold_at_once_and_all_of_them_do() -> None:
    gate = FairGate(3)
    together = threading.Barrier(3, timeout=10)  # breaks unless 3 hold the gate at once
    held, most = 0, 0
    lock = threading.Lock()

    def step() -> None:
        nonlocal held, most
        with gate:
            with lock:
                held += 1
                most = max(most, held)
            together.wait()
            with lock:
                held -= 1

    threads = [threading.Thread(target=step, daemon=True) for _ in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert most == 3 and held == 0 and not together.broken


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FairGate(0)
