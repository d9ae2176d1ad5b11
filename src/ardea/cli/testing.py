"""``ardea test``: replay a folder of recorded traces against the app, as a CI test suite.

``ardea test recordings/ --app mypkg.agent:answer`` imports the app's entry point, turns on
the GenAI autolog integrations that are installed (so their calls can be served from the
recordings), replays every ``*.json`` trace file under the folder (see
:mod:`ardea.evaluation.replay.suite`), prints one line per recording and a pytest-style
summary, and exits 1 when any recording diverged or could not be replayed. ``--junitxml``
also writes a JUnit XML report.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import click

from ardea.cli._common import CONTEXT

__all__ = ["load_app", "test_command"]

_AUTOLOG = ("openai", "anthropic", "langchain")
_MARK = {"passed": "PASSED", "failed": "FAILED", "error": "ERROR"}


def load_app(spec: str) -> Any:
    """The callable named by ``module:attr`` or ``path/to/file.py:attr``.

    Raises:
        click.BadParameter: The spec is malformed, or the module or attribute is missing.
    """
    from ardea._core.errors import InvalidArgumentError
    from ardea._core.imports import load_object

    try:
        target = load_object(spec, "function")
    except InvalidArgumentError as exc:
        raise click.BadParameter(exc.message, param_hint="--app") from None
    if not callable(target):
        name = spec.rpartition(":")[2]
        raise click.BadParameter(f"{spec} has no function {name!r}", param_hint="--app")
    return target


def _autolog() -> list[str]:
    """Turn on the GenAI integrations whose package is installed; their names."""
    on = []
    for name in _AUTOLOG:
        package = "langchain_core" if name == "langchain" else name
        if importlib.util.find_spec(package) is None:
            continue
        importlib.import_module(f"ardea.autolog.{name}").autolog()
        on.append(name)
    return on


@click.command("test", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--app",
    "app",
    required=True,
    metavar="MODULE:FUNCTION",
    help="The app's entry point, called with each recording's root inputs.",
)
@click.option(
    "--mode",
    type=click.Choice(["all", "tools", "model"]),
    default="all",
    show_default=True,
    help="Serve model and tool calls (all), tools only, or the model only.",
)
@click.option(
    "--junitxml",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Also write a JUnit XML report here.",
)
@click.option(
    "--tracking-uri",
    default=None,
    metavar="URI",
    help="Where the replays' traces go (default: the usual tracking URI).",
)
@click.option(
    "--no-autolog",
    is_flag=True,
    help="Do not turn on the OpenAI, Anthropic and LangChain integrations.",
)
def test_command(folder: Path, app: str, mode: str, junitxml: Path | None,
                 tracking_uri: str | None, no_autolog: bool) -> None:  # fmt: skip
    """Replay every recorded trace under FOLDER against the app; exit 1 on any divergence.

    Each *.json file (a trace, or a session: a list of traces, as `ardea traces export`
    writes them) is one test case. The recorded model and tool calls are served back, so no
    provider is called (in --mode all).
    """
    from ardea._core.errors import ArdeaError
    from ardea.evaluation.replay.suite import Case, junit_xml, run_suite

    if tracking_uri:
        from ardea.fluent import set_tracking_uri

        set_tracking_uri(tracking_uri)
    predict_fn = load_app(app)
    integrations = [] if no_autolog else _autolog()
    click.echo(f"ardea test: {folder} against {app} (mode {mode}; autolog: "
               f"{', '.join(integrations) or 'off'})")  # fmt: skip

    def progress(case: Case) -> None:
        click.echo(f"{case.name} {_MARK[case.outcome]}")

    try:
        result = run_suite(folder, predict_fn, mode=mode, on_case=progress)
    except ArdeaError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        from ardea.tracing.provider import flush

        flush()
    bad = [c for c in result.cases if c.outcome != "passed"]
    if bad:
        click.echo("\n" + " FAILURES ".center(70, "="))
        for case in bad:
            click.echo(f" {case.name} ".center(70, "_"))
            click.echo(case.details)
    counts = [f"{result.count(o)} {o}" for o in ("failed", "error", "passed") if result.count(o)]
    click.echo(f" {', '.join(counts)} in {result.seconds:.2f}s ".center(70, "="))
    if junitxml is not None:
        junitxml.parent.mkdir(parents=True, exist_ok=True)
        junitxml.write_text(junit_xml(result), encoding="utf-8")
        click.echo(f"JUnit XML report: {junitxml}")
    if not result.passed:
        sys.exit(1)
