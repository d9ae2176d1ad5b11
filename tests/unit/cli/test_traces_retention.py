"""``ardea traces retention set|show|apply`` on a data folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result

from ardea.entities import Span

Ardea = Callable[..., Result]
DAY = 86_400_000


def _ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def client(data: str) -> Iterator[Any]:
    from ardea.client import ArdeaClient

    c = ArdeaClient(data)
    yield c
    c.close()


def _traces(client: Any, experiment_id: str, times_ms: list[int]) -> None:
    for i, at in enumerate(times_ms):
        trace_id = f"tr-{experiment_id:0>8}{i + 1:024x}"
        start = at * 1_000_000
        span = Span(trace_id, "c" * 16, None, "r", start_time_ns=start, end_time_ns=start + 1)
        client.trace_store.log_spans(experiment_id, [span])


def test_set_show_and_apply(ardea: Ardea, client: Any) -> None:
    from ardea._core.ids import now_ms

    a = client.create_experiment("a")
    b = client.create_experiment("b")
    now = now_ms()
    _traces(client, a, [now - 10 * DAY, now - 9 * DAY, now - DAY, now])
    _traces(client, b, [now - 10 * DAY, now])

    assert "workspace: max_age_days=5" in _ok(ardea("traces", "retention", "set",
                                                    "--max-age-days", "5"))  # fmt: skip
    out = _ok(ardea("traces", "retention", "set", "-x", a, "--max-traces", "1"))
    assert "in force: max_age_days=5, max_traces=1" in out
    _ok(ardea("traces", "retention", "set", "-x", b, "--max-age-days", "0"))
    out = _ok(ardea("traces", "retention", "show", "-x", b))
    assert "max_age_days=0 (no limit)" in out and "workspace: max_age_days=5" in out

    out = _ok(ardea("traces", "retention", "apply", "--dry-run"))
    assert f"experiment {a} (default): 3 due" in out and "would delete 3 traces" in out
    assert len(client.trace_store.search_traces([a])) == 4

    result = ardea("traces", "retention", "apply", "--batch-size", "2")
    out = _ok(result)
    assert f"experiment {a} (default): 3 deleted of 3 due" in out and "deleted 3 traces" in out
    assert "2 deleted, 1 remaining" in result.stderr and "3 deleted, 0 remaining" in result.stderr
    assert len(client.trace_store.search_traces([a])) == 1
    assert len(client.trace_store.search_traces([b])) == 2  # opted out of the age limit

    out = _ok(ardea("traces", "retention", "set", "-x", b, "--max-age-days", "inherit"))
    assert "in force: max_age_days=5" in out
    _ok(ardea("traces", "retention", "set", "-x", a, "--clear"))
    assert "experiment " + a + ": (none)" in _ok(ardea("traces", "retention", "show", "-x", a))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-age-days", "-3"), "max_age_days"),
        (("--max-traces", "many"), "many"),
        ((), "Give --max-age-days"),
    ],
)
def test_bad_input_fails_and_changes_nothing(
    ardea: Ardea, client: Any, args: tuple[str, ...], message: str
) -> None:
    _ok(ardea("traces", "retention", "set", "-x", "0", "--max-traces", "9"))
    result = ardea("traces", "retention", "set", "-x", "0", *args)
    assert result.exit_code != 0 and message in result.output
    assert "experiment 0: max_traces=9" in _ok(ardea("traces", "retention", "show", "-x", "0"))


def test_unknown_experiment(ardea: Ardea) -> None:
    result = ardea("traces", "retention", "show", "-x", "4242")
    assert result.exit_code != 0 and "4242" in result.output


def test_archive_flag(ardea: Ardea, client: Any) -> None:
    from ardea.tracing.archive import load_archived

    a = client.create_experiment("a")
    _traces(client, a, [1_000, 2_000])
    out = _ok(
        ardea("traces", "retention", "set", "-x", a, "--max-traces", "1", "--archive", "true")
    )
    assert "archive=true" in out
    assert "deleted 1 trace" in _ok(ardea("traces", "retention", "apply"))
    gone = f"tr-{a:0>8}{1:024x}"
    archived = load_archived(client.backend, gone)
    assert archived is not None and archived.info.trace_id == gone
    out = _ok(ardea("traces", "retention", "set", "-x", a, "--archive", "inherit"))
    assert "archive" not in out.splitlines()[0]
