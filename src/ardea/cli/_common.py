"""What the ``ardea`` commands share: the tracking URI option, output formats, errors.

Every command that reads or writes tracking data takes ``--tracking-uri`` (else
``ARDEA_TRACKING_URI``, else ``MLFLOW_TRACKING_URI``, else ``./ardea-data``): a data folder,
a database URI or a server URL, all through :class:`~ardea.client.ArdeaClient`. Lists print
as an aligned table, JSON or CSV (``--output``). An :class:`~ardea._core.errors.ArdeaError`
becomes ``Error: <message>`` and exit status 1, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ardea._core.env import ARDEA_TRACKING_URI, DEFAULT_DATA_DIR, MLFLOW_TRACKING_URI
from ardea._core.errors import ArdeaError

if TYPE_CHECKING:
    from ardea.client import ArdeaClient

__all__ = [
    "run_uvicorn",
    "CONTEXT",
    "ArdeaGroup",
    "VIEW_TYPES",
    "client_for",
    "format_time",
    "output_option",
    "parse_key_values",
    "render",
    "tracking_uri_option",
]

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
"""``-h`` is help on every command (``ardea server`` spells the host ``--host``)."""

VIEW_TYPES = ("active_only", "deleted_only", "all")


class ArdeaGroup(click.Group):
    """A command group whose commands turn :class:`ArdeaError` into a one-line error."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an ArdeaError becomes ``Error: <message>`` and exit status 1."""
        try:
            return super().invoke(ctx)
        except ArdeaError as exc:
            raise click.ClickException(exc.message) from exc


def tracking_uri_option(f: F) -> F:
    """``--tracking-uri`` (``ARDEA_TRACKING_URI``, ``MLFLOW_TRACKING_URI``, ``./ardea-data``)."""
    return click.option(
        "--tracking-uri",
        envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI],
        default=None,
        metavar="URI",
        help="A data folder, a database URI (sqlite:///, postgresql://, mysql://) or a server "
        f"URL. Default: $ARDEA_TRACKING_URI, else $MLFLOW_TRACKING_URI, else ./{DEFAULT_DATA_DIR}.",
    )(f)


def output_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    """``--output`` with the given formats (no short form: ``-o`` is a file, as in MLflow)."""
    return click.option(
        "--output",
        "output",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


@contextmanager
def client_for(tracking_uri: str | None) -> Iterator[ArdeaClient]:
    """An :class:`ArdeaClient` on ``tracking_uri`` (None: the default), closed afterwards."""
    from ardea.client import ArdeaClient

    client = ArdeaClient(tracking_uri)
    try:
        yield client
    finally:
        client.close()


def format_time(ms: int | None) -> str:
    """Epoch milliseconds as ``YYYY-MM-DD HH:MM:SS`` local time ("" for None)."""
    if ms is None:
        return ""
    when = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S")


def parse_key_values(pairs: Sequence[str], what: str = "tag") -> dict[str, str]:
    """``key=value`` strings as a dict; a usage error for a malformed or repeated key."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"Invalid {what} {pair!r}: use key=value.")
        if key in out:
            raise click.UsageError(f"Duplicate {what} key {key!r}.")
        out[key] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    output: str,
    *,
    headers: Mapping[str, str] | None = None,
) -> str:
    """``rows`` as an aligned text table, a JSON array or CSV (with a header row).

    Args:
        rows: One mapping per row; missing keys are empty cells (``null`` in JSON).
        columns: The keys to show, in order (JSON keeps every key of each row).
        output: ``table``, ``json`` or ``csv``.
        headers: Table headers by column (default: the column names).
    """
    if output == "json":
        return json.dumps([dict(r) for r in rows], indent=2, default=str)
    if output == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return buf.getvalue().rstrip("\n")
    titles = [(headers or {}).get(c, c) for c in columns]
    cells = [[_cell(row.get(c)).replace("\n", " ") for c in columns] for row in rows]
    widths = [max([len(t), *(len(r[i]) for r in cells)]) for i, t in enumerate(titles)]
    lines = ["  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )
    return "\n".join(lines)


def run_uvicorn(
    label: str, factory: str, host: str, port: int, workers: int, app: Any = None
) -> None:
    """Serve ``app`` in this process, or ``factory`` in uvicorn worker processes.

    ``factory`` (``"module:function"``) is used when ``workers`` is above 1. Says where first.
    """
    import uvicorn

    url = f"http://{host}:{port}"
    if workers > 1:
        click.echo(f"Serving {label} on {url} ({workers} workers)")
        uvicorn.run(
            factory, factory=True, host=host, port=port, workers=workers, log_level="warning"
        )
        return
    click.echo(f"Serving {label} on {url}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
