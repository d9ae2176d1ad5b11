"""``ardea models``: serve and deploy models (``serve``, ``build-docker``, ``generate-k8s``)."""

from __future__ import annotations

import click

from ardea.cli._common import CONTEXT, ArdeaGroup
from ardea.cli.models_deploy import build_docker, generate_k8s
from ardea.cli.models_serve import serve

__all__ = ["models"]


@click.group("models", cls=ArdeaGroup, context_settings=CONTEXT)
def models() -> None:
    """Serve and deploy models: a scoring server, a Docker build context, K8s manifests."""


models.add_command(serve)
models.add_command(build_docker)
models.add_command(generate_k8s)
