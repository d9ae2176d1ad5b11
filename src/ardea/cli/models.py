"""``ardea models``: ``serve``, ``predict`` (batch), ``build-docker`` and ``generate-k8s``."""

from __future__ import annotations

import click

from ardea.cli._common import CONTEXT, ArdeaGroup
from ardea.cli.models_deploy import build_docker, generate_k8s
from ardea.cli.models_predict import predict
from ardea.cli.models_serve import serve

__all__ = ["models"]


@click.group("models", cls=ArdeaGroup, context_settings=CONTEXT)
def models() -> None:
    """Serve, batch-score and deploy models: a scoring server, file scoring, Docker, K8s."""


models.add_command(serve)
models.add_command(predict)
models.add_command(build_docker)
models.add_command(generate_k8s)
