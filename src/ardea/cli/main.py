"""``ardea``: the command-line entry point.

Commands: ``server`` and ``ui`` (the server), ``experiments``, ``runs`` and ``artifacts``
(tracking data, on a data folder, a database or a server), ``gc`` (permanent deletion, on the
database), ``db`` (migrations), ``import mlflow`` (an MLflow server's data), ``users`` and
``tokens`` (identities, on the database), ``gateway`` (the AI gateway alone with ``--config``;
its secrets, models and endpoints on the database), ``scorer-worker`` (online scoring's
code scorers, beside a server), ``issues`` (failing judge verdicts grouped into proposed
issues; an experiment's issues), ``traces export`` (traces as JSON files) and ``test``
(replay a folder of recorded traces against an app, for CI), ``models``
(a model server's Docker build context and Kubernetes manifests), ``agents serve`` (an
OpenAI-compatible server for a Python agent). ``-h`` is help on every
command. Heavy imports (FastAPI, SQLAlchemy, httpx) happen inside commands, so ``ardea -h``
stays fast.
"""

from __future__ import annotations

import click

from ardea.cli._common import CONTEXT, ArdeaGroup
from ardea.cli.agents import agents
from ardea.cli.artifacts import artifacts
from ardea.cli.db import db
from ardea.cli.experiments import experiments
from ardea.cli.gateway_manage import gateway
from ardea.cli.gc import gc
from ardea.cli.importing import import_group
from ardea.cli.issues import issues
from ardea.cli.models import models
from ardea.cli.runs import runs
from ardea.cli.scorer_worker import scorer_worker
from ardea.cli.server import server, ui
from ardea.cli.testing import test_command
from ardea.cli.tokens import tokens
from ardea.cli.traces import traces
from ardea.cli.users import users
from ardea.cli.version import ardea_version

__all__ = ["cli", "main"]


@click.group(cls=ArdeaGroup, context_settings=CONTEXT)
@click.version_option(ardea_version(), "--version", prog_name="ardea")
def cli() -> None:
    """Ardea: experiment tracking, tracing and more, wire-compatible with MLflow.

    Commands that read or write tracking data take --tracking-uri (default:
    $ARDEA_TRACKING_URI, else $MLFLOW_TRACKING_URI, else ./ardea-data). -h is help everywhere.
    """


for command in (
    server,
    ui,
    experiments,
    runs,
    artifacts,
    gc,
    db,
    import_group,
    users,
    tokens,
    gateway,
    scorer_worker,
    issues,
    traces,
    test_command,
    models,
    agents,
):
    cli.add_command(command)


def main() -> None:
    """Run the ``ardea`` command line."""
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
