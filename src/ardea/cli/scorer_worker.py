"""``ardea scorer-worker``: run online scoring's code scorers beside a server.

The server never runs user code: rows of registered ``@scorer`` code wait for a worker. A
worker pulls them over the server's REST API (its door and auth: ``ARDEA_TRACKING_TOKEN``
or ``ARDEA_TRACKING_USERNAME``/``ARDEA_TRACKING_PASSWORD``), runs each scorer in a child
process and posts the feedbacks back (:mod:`ardea.evaluation.online_worker`)::

    ardea scorer-worker --server http://127.0.0.1:5000 --experiment-id 1 --scorers my_scorers.py
"""

from __future__ import annotations

import click

from ardea.cli._common import CONTEXT

__all__ = ["scorer_worker"]


@click.command("scorer-worker", context_settings=CONTEXT)
@click.option("--server", "server_url", required=True, help="The server's URL.")
@click.option(
    "--experiment-id",
    "experiment_ids",
    multiple=True,
    required=True,
    help="An experiment whose online scoring rows to run (repeatable).",
)
@click.option(
    "--scorers",
    "modules",
    multiple=True,
    help="A module name or .py file defining the code scorers to run (repeatable).",
)
@click.option("--judges", is_flag=True, help="Also run LLM judge rows (else the server does).")
@click.option("--batch", default=8, show_default=True, type=click.IntRange(1, 100))
@click.option("--lease-seconds", default=300.0, show_default=True, type=click.FloatRange(1, 3600))
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--poll-seconds", default=1.0, show_default=True, type=click.FloatRange(0.05))
@click.option("--until-idle", is_flag=True, help="Exit once no row is left to claim.")
def scorer_worker(
    server_url: str,
    experiment_ids: tuple[str, ...],
    modules: tuple[str, ...],
    judges: bool,
    batch: int,
    lease_seconds: float,
    processes: int,
    poll_seconds: float,
    until_idle: bool,
) -> None:
    """Claim and run online scoring rows of a server's experiments (code scorers)."""
    import logging

    from ardea._core.errors import ArdeaError
    from ardea.evaluation.online_worker import ScorerWorker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        worker = ScorerWorker(
            server_url,
            experiment_ids,
            modules,
            judges=judges,
            batch=batch,
            lease_seconds=lease_seconds,
            processes=processes,
        )
    except ArdeaError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"scorer-worker {worker.worker_id}: {len(worker.local)} local scorer(s) "
        f"{sorted(worker.local)}, experiments {list(experiment_ids)}",
        err=True,
    )
    try:
        worker.run(poll_seconds=poll_seconds, until_idle=until_idle)
    except KeyboardInterrupt:
        pass
    finally:
        worker.close()
        click.echo(f"scorer-worker: {worker.done} done, {worker.failed} failed", err=True)
